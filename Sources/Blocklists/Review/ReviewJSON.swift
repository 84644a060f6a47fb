public import Foundation

/// The review's JSON, as the API answers and `herdwatch blocklist drafts --format json` prints it (keys in
/// snake_case; policies as `DraftDismissal.policy(of:)` writes them, `retract` for none).
public enum ReviewJSON {
    /// `value` as sorted, snake_case JSON with ISO 8601 dates.
    public static func text(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    public struct Drafts: Encodable, Sendable {
        public var additions: [Draft]
        public var escalations: [Draft]
        public var downgrades: [Draft]
        public var retractions: [Draft]

        public init(_ drafts: BlocklistDrafts) {
            additions = drafts.additions.map(Draft.init)
            escalations = drafts.escalations.map(Draft.init)
            downgrades = drafts.downgrades.map(Draft.init)
            retractions = drafts.retractions.map(Draft.init)
        }
    }

    public struct Draft: Encodable, Sendable {
        public struct Support: Encodable, Sendable {
            public var subscription: String
            public var severity: String
            public var publicComment: String
            public var privateComment: String
        }

        public var domain: String
        public var kind: String
        /// `DraftDismissal.policy(of:)` of the applied and proposed entries.
        public var applied: String?
        public var proposed: String
        public var held: Bool
        public var owner: String?
        public var supporters: [String]
        public var support: [Support]
        public var impact: DomainImpact

        public init(_ draft: ReviewDraft) {
            domain = draft.domain
            kind = draft.kind.rawValue
            applied = draft.draft.applied.map { DraftDismissal.policy(of: $0) }
            proposed = DraftDismissal.policy(of: draft.draft.proposed)
            held = draft.isHeld
            owner = draft.owner
            supporters = draft.draft.supporters
            support = draft.support.map {
                Support(
                    subscription: $0.subscription, severity: $0.severity.rawValue, publicComment: $0.publicComment,
                    privateComment: $0.privateComment)
            }
            impact = draft.impact
        }
    }

    public struct Dismissal: Encodable, Sendable {
        public var domain: String
        public var kind: String
        public var policy: String

        public init(_ dismissal: DraftDismissal) {
            domain = dismissal.domain
            kind = dismissal.kind.rawValue
            policy = dismissal.policy
        }
    }

    public struct Batch: Encodable, Sendable {
        public struct Item: Encodable, Sendable {
            public var domain: String
            public var kind: String?
            public var before: String?
            public var after: String
        }

        public var id: Int64
        public var actor: String
        public var at: Date
        public var via: String
        public var undoes: Int64?
        public var items: [Item]

        public init(_ batch: BlocklistBatch) {
            id = batch.id
            actor = batch.actor
            at = batch.at
            via = batch.channel.rawValue
            undoes = batch.undoes
            items = batch.items.map {
                Item(
                    domain: $0.domain, kind: $0.kind?.rawValue, before: $0.before.map { DraftDismissal.policy(of: $0) },
                    after: DraftDismissal.policy(of: $0.after))
            }
        }
    }
}
