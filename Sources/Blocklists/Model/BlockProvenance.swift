public import Foundation

/// Where a block came from: which list or person, when, and why. Kept with the entry so that a subscription only
/// ever retracts what it brought, and so that our published list can leave out what we only relay.
public struct BlockProvenance: Sendable, Hashable {
    /// Who asserted the block.
    public enum Origin: Sendable, Hashable {
        /// A moderator or admin of ours, by account name.
        case person(String)
        /// A file or list imported by hand (its name or URL).
        case list(String)
        /// A subscribed peer list, by subscription id.
        case subscription(String)

        /// The name or id the origin carries.
        public var name: String {
            switch self {
            case .person(let name), .list(let name), .subscription(let name): name
            }
        }

        /// The kind as stored and logged: `person`, `list` or `subscription`.
        public var kind: String {
            switch self {
            case .person: "person"
            case .list: "list"
            case .subscription: "subscription"
            }
        }

        /// The origin of `kind` (as `kind` names it) and `name`; nil for an unknown kind.
        public init?(kind: String, name: String) {
            switch kind {
            case "person": self = .person(name)
            case "list": self = .list(name)
            case "subscription": self = .subscription(name)
            default: return nil
            }
        }

        public var isSubscription: Bool {
            if case .subscription = self { return true }
            return false
        }
    }

    public var origin: Origin
    /// When the origin asserted it (or when we read it); nil when unknown.
    public var at: Date?
    /// Why, in the origin's words (a commit message, an import note); never shown publicly.
    public var note: String?

    public init(origin: Origin, at: Date? = nil, note: String? = nil) {
        self.origin = origin
        self.at = at
        self.note = note
    }
}
