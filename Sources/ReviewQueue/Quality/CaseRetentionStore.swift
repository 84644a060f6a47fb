import Access
public import Foundation

/// A store that purges the evidence of cases closed long ago: the activity's body and the stored request go,
/// the case, its verdict and its audit log stay, and an audit entry (`purge`, via `expiry`) records it.
public protocol CaseRetentionStore: CaseStore {
    /// Purges the evidence of at most `limit` cases closed before `cutoff`, oldest first, whose evidence is still
    /// there; returns their ids.
    func purgeEvidence(closedBefore cutoff: Date, at now: Date, limit: Int) async throws -> [Int64]

    /// When the case's evidence was purged; nil while it is kept (or when there is no such case).
    func evidencePurgedAt(caseID: Int64) async throws -> Date?
}

extension AuditEntry {
    /// The audit entry of a purge of a closed case's evidence.
    public static func evidencePurge(caseID: Int64, at now: Date, closedAt: Date) -> AuditEntry {
        AuditEntry(
            by: Principal(account: nil, token: nil, via: .expiry), at: now, caseID: caseID, action: .purge,
            from: .closed, to: .closed,
            note:
                "evidence (body, stored request) purged: the case closed \(Int(now.timeIntervalSince(closedAt) / 86_400)) days ago"
        )
    }
}
