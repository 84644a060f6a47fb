/// A dismissed proposal: the same domain, kind and proposed policy never comes back as a draft; a different
/// proposal for the domain (silence became suspend) does.
public struct DraftDismissal: Sendable, Hashable {
    public var domain: String
    public var kind: BlocklistDraft.Kind
    /// The proposed policy as `DraftDismissal.policy(of:)` writes it, e.g. `suspend`, `silence+media`, `retract`.
    public var policy: String

    public init(domain: String, kind: BlocklistDraft.Kind, policy: String) {
        self.domain = domain
        self.kind = kind
        self.policy = policy
    }

    public init(_ draft: BlocklistDraft) {
        self.init(domain: draft.domain, kind: draft.kind, policy: Self.policy(of: draft.proposed))
    }

    /// Severity and flags, `+`-joined; `retract` for no entry.
    public static func policy(of block: DomainBlock?) -> String {
        guard let block, block.state == .active else { return "retract" }
        var parts = [block.severity.rawValue]
        if block.rejectMedia { parts.append("media") }
        if block.rejectReports { parts.append("reports") }
        return parts.joined(separator: "+")
    }
}
