public import Access
public import Foundation

/// A measure a moderator proposed in a decision (limit or suspend an actor, block a domain) that waits for
/// someone with `confirmProposals`. Confirmed `blockDomain` proposals are what the blocklists turn into drafts.
public struct Proposal: Sendable, Hashable, Codable, Identifiable {
    public enum State: String, Sendable, Hashable, Codable, CaseIterable {
        case pending
        case confirmed
        case refused
    }

    public var id: Int64
    public var caseID: Int64
    public var action: Decision.Action
    /// The actor id for `limitActor` and `suspendActor`, the host for `blockDomain`.
    public var target: String
    public var reason: String
    public var note: String?
    public var proposedBy: String
    public var proposedAt: Date
    public var state: State
    public var resolvedBy: String?
    public var resolvedAt: Date?

    public init(
        id: Int64, caseID: Int64, action: Decision.Action, target: String, reason: String, note: String?,
        proposedBy: String, proposedAt: Date, state: State = .pending, resolvedBy: String? = nil,
        resolvedAt: Date? = nil
    ) {
        self.id = id
        self.caseID = caseID
        self.action = action
        self.target = target
        self.reason = reason
        self.note = note
        self.proposedBy = proposedBy
        self.proposedAt = proposedAt
        self.state = state
        self.resolvedBy = resolvedBy
        self.resolvedAt = resolvedAt
    }
}

extension Proposal {
    /// The proposal confirmed or refused, and its audit entry; only pending proposals can be resolved, only by
    /// a principal with `confirmProposals`.
    public func resolving(
        confirm: Bool, by principal: Principal, at now: Date
    ) throws(CaseWorkflowError) -> (Proposal, AuditEntry) {
        guard principal.allows(.confirmProposals) else {
            throw CaseWorkflowError(
                .forbidden, "only a lead or an admin can confirm or refuse proposals", caseID: caseID)
        }
        guard state == .pending else {
            throw CaseWorkflowError(.badTransition, "proposal \(id) is already \(state.rawValue)", caseID: caseID)
        }
        var resolved = self
        resolved.state = confirm ? .confirmed : .refused
        resolved.resolvedBy = principal.displayName
        resolved.resolvedAt = now
        let entry = AuditEntry(
            by: principal, at: now, caseID: caseID, action: confirm ? .confirm : .refuse, reason: reason,
            note: "\(action.rawValue) \(target) (proposal \(id))")
        return (resolved, entry)
    }
}
