public import Foundation

/// One apply (or undo) of drafts: who, when, through what, and each domain's entry before and after, written in
/// the same transaction as the blocks so that the log and the list never disagree.
public struct BlocklistBatch: Sendable, Hashable {
    /// Where the apply came from.
    public enum Channel: String, Sendable, Hashable, CaseIterable {
        case ui
        case api
        case cli
        /// A subscription's `autoApply` rule, right after it was fetched.
        case auto
    }

    public struct Item: Sendable, Hashable {
        public var domain: String
        /// The draft's kind; nil for an undo.
        public var kind: BlocklistDraft.Kind?
        /// The stored entry before (nil when there was none).
        public var before: DomainBlock?
        /// The entry as stored by this batch.
        public var after: DomainBlock

        public init(domain: String, kind: BlocklistDraft.Kind?, before: DomainBlock?, after: DomainBlock) {
            self.domain = domain
            self.kind = kind
            self.before = before
            self.after = after
        }
    }

    public var id: Int64
    /// The account name, or `subscription:ID` for an auto-apply.
    public var actor: String
    public var at: Date
    public var channel: Channel
    public var items: [Item]
    /// The batch this one undid.
    public var undoes: Int64?

    public init(id: Int64, actor: String, at: Date, channel: Channel, items: [Item], undoes: Int64? = nil) {
        self.id = id
        self.actor = actor
        self.at = at
        self.channel = channel
        self.items = items
        self.undoes = undoes
    }
}

/// One write of a batch: the entry `domain` must still be `expected` (see `isStill`), then becomes `after`.
public struct BlocklistChange: Sendable, Hashable {
    public var domain: String
    public var kind: BlocklistDraft.Kind?
    /// What the change was computed from: nil means not blocked (no entry, or a retracted one).
    public var expected: DomainBlock?
    public var after: DomainBlock

    public init(kind: BlocklistDraft.Kind?, expected: DomainBlock?, after: DomainBlock) {
        self.domain = after.domain
        self.kind = kind
        self.expected = expected
        self.after = after
    }

    /// Whether the stored `current` entry is still what the change was computed from: the same revision and
    /// policy, or, when nothing was expected, no active entry.
    public func isStill(_ current: DomainBlock?) -> Bool {
        guard let expected else { return current == nil || current?.state == .retracted }
        guard let current else { return false }
        return current.revision == expected.revision && current.hasSamePolicy(as: expected)
    }
}
