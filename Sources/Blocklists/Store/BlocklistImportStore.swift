/// A store that applies an imported list all at once: every entry or none (`herdwatch blocklist import`).
public protocol BlocklistImportStore: BlocklistStore {
    /// Applies `entries` in one transaction, each as ``BlocklistImportMerge/merged(_:over:)`` says.
    func apply(_ entries: [DomainBlock]) async throws -> BlocklistImportOutcome
}

/// What applying an imported list did.
public struct BlocklistImportOutcome: Sendable, Hashable {
    public var added = 0
    public var changed = 0
    public var unchanged = 0

    public init(added: Int = 0, changed: Int = 0, unchanged: Int = 0) {
        self.added = added
        self.changed = changed
        self.unchanged = unchanged
    }
}

/// How an imported entry meets the stored one, the same in every store: a new domain is added; an entry the list
/// states differently (policy, comments, obfuscation, or retracted before) is changed; the rest is left untouched.
/// A stored comment is kept when the list brings none (plain text has no comments), so an import never clobbers
/// what our moderators wrote (mastodon#25659).
public enum BlocklistImportMerge {
    public enum Result: Sendable, Equatable {
        case add(DomainBlock)
        case change(DomainBlock)
        case unchanged
    }

    public static func merged(_ entry: DomainBlock, over existing: DomainBlock?) -> Result {
        guard let existing else { return .add(entry) }
        if existing.hasSamePolicy(as: entry) && existing.obfuscate == entry.obfuscate
            && (entry.publicComment.isEmpty || entry.publicComment == existing.publicComment)
            && (entry.privateComment.isEmpty || entry.privateComment == existing.privateComment)
        {
            return .unchanged
        }
        var changed = entry
        if changed.privateComment.isEmpty { changed.privateComment = existing.privateComment }
        if changed.publicComment.isEmpty { changed.publicComment = existing.publicComment }
        return .change(changed)
    }
}
