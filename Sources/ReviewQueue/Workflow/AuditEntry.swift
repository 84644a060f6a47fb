public import Access
public import Foundation

/// One line of the append-only audit log: who did what to which case, when, through what, and why.
public struct AuditEntry: Sendable, Hashable, Codable, Identifiable {
    public enum Action: String, Sendable, Hashable, Codable, CaseIterable {
        case claim
        case renew
        case release
        /// A lease ran out and the case went back to the queue.
        case expire
        case approve
        case reject
        case escalate
        case reopen
        case note
        case propose
        case confirm
        case refuse
        /// The case's evidence was purged after `review.evidenceRetentionDays` (`CaseRetentionStore`).
        case purge
    }

    public var id: Int64
    public var at: Date
    /// The principal's display name (`alice`, `token 4 (deploy-hook)`).
    public var actor: String
    public var accountID: Int64?
    public var via: Principal.Via
    public var batchID: String?
    public var caseID: Int64?
    public var action: Action
    public var fromState: ReviewCase.State?
    public var toState: ReviewCase.State?
    public var reason: String?
    public var note: String?

    public init(
        id: Int64, at: Date, actor: String, accountID: Int64?, via: Principal.Via, batchID: String?, caseID: Int64?,
        action: Action, fromState: ReviewCase.State?, toState: ReviewCase.State?, reason: String?, note: String?
    ) {
        self.id = id
        self.at = at
        self.actor = actor
        self.accountID = accountID
        self.via = via
        self.batchID = batchID
        self.caseID = caseID
        self.action = action
        self.fromState = fromState
        self.toState = toState
        self.reason = reason
        self.note = note
    }

    /// An entry before the store numbers it.
    public init(
        by principal: Principal, at: Date, batchID: String? = nil, caseID: Int64?, action: Action,
        from: ReviewCase.State? = nil, to: ReviewCase.State? = nil, reason: String? = nil, note: String? = nil
    ) {
        self.init(
            id: 0, at: at, actor: principal.displayName, accountID: principal.accountID, via: principal.via,
            batchID: batchID,
            caseID: caseID, action: action, fromState: from, toState: to, reason: reason, note: note)
    }
}

extension AuditEntry {
    /// The entry with the id its store gave it.
    public func with(id: Int64) -> AuditEntry {
        var entry = self
        entry.id = id
        return entry
    }
}
