/// What a moderator decides on a case: one outcome (approve, reject or escalate), proposals for a lead to
/// confirm, a reason code and an optional note.
public struct Decision: Sendable, Hashable, Codable {
    public enum Action: String, Sendable, Hashable, Codable, CaseIterable {
        case approve
        case reject
        case escalate
        /// Proposals, stored as pending `Proposal`s until someone with `confirmProposals` confirms or refuses them.
        case limitActor = "limit_actor"
        case suspendActor = "suspend_actor"
        case blockDomain = "block_domain"

        public var isProposal: Bool { self == .limitActor || self == .suspendActor || self == .blockDomain }
    }

    public var actions: [Action]
    /// A code from `ReasonCodes` (`spam`, `harassment`, …).
    public var reason: String
    /// Free text for colleagues; never shown to the sender.
    public var note: String?

    public init(actions: [Action], reason: String, note: String? = nil) {
        self.actions = actions
        self.reason = reason
        self.note = note
    }

    /// The one outcome action (approve, reject or escalate).
    public var outcome: Action? { actions.first { !$0.isProposal } }

    public var proposals: [Action] { actions.filter(\.isProposal) }
}

/// The reason codes a decision may carry. Servers can pass their own list; this is the default.
public enum ReasonCodes {
    public static let `default`: [String] = [
        "spam", "harassment", "hate", "illegal", "csam", "impersonation", "misinformation", "other", "not_a_violation",
    ]
}
