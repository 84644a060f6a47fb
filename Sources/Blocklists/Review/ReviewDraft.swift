/// A draft as a reviewer sees it: the change, who supports it and in what words, and what it would touch here.
public struct ReviewDraft: Sendable, Hashable {
    /// One subscription's entry for the domain.
    public struct Support: Sendable, Hashable {
        public var subscription: String
        public var severity: BlockSeverity
        public var publicComment: String
        public var privateComment: String

        public init(subscription: String, severity: BlockSeverity, publicComment: String, privateComment: String) {
            self.subscription = subscription
            self.severity = severity
            self.publicComment = publicComment
            self.privateComment = privateComment
        }
    }

    public var draft: BlocklistDraft
    /// The subscriptions listing the domain, in subscription order (empty for a retraction).
    public var support: [Support]
    /// For a retraction, the subscription that brought the block.
    public var owner: String?
    public var impact: DomainImpact
    /// A retraction in a mass retraction: applying it needs an explicit confirmation.
    public var isHeld: Bool

    public init(
        draft: BlocklistDraft, support: [Support] = [], owner: String? = nil, impact: DomainImpact = DomainImpact(),
        isHeld: Bool = false
    ) {
        self.draft = draft
        self.support = support
        self.owner = owner
        self.impact = impact
        self.isHeld = isHeld
    }

    public var domain: String { draft.domain }
    public var kind: BlocklistDraft.Kind { draft.kind }
    public var dismissal: DraftDismissal { DraftDismissal(draft) }
}
