/// One proposed change to the applied list, for a person to approve or dismiss.
public struct BlocklistDraft: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A domain not blocked today.
        case addition
        /// A stricter severity, or a flag newly set.
        case escalation
        /// A milder severity, or a flag cleared.
        case downgrade
        /// No source supports a block that subscriptions brought any more.
        case retraction
    }

    public var kind: Kind
    public var domain: String
    /// The entry in force today; nil for additions.
    public var applied: DomainBlock?
    /// The merge result's entry; nil for retractions.
    public var proposed: DomainBlock?
    /// The sources behind the proposal (empty for retractions).
    public var supporters: [String]
}
