public import Access
public import Foundation

/// Durable storage of review cases, their audit log, notes, proposals and queues. Implementations commit before
/// returning: a held activity that has been answered `202 Accepted` must never be lost. Every call is async: one
/// that waits on a disk or a lock suspends the caller's task instead of blocking its thread (an event loop, in
/// the server). Every change to a case goes through `ReviewCase.applying(_:reasons:)` and appends its audit
/// entries in the same transaction.
public protocol CaseStore: Sendable {
    /// Opens a case for a delivery, or, when one already exists for the same delivery key (activity id, signer
    /// and body), counts the delivery as a duplicate and returns the existing case unchanged otherwise. A new
    /// case gets its `CasePriority`.
    func open(_ newCase: NewCase) async throws -> CaseOpening

    func reviewCase(id: Int64) async throws -> ReviewCase?

    /// Files a remote report: on the case not yet closed about the flagged actor when there is one (its priority
    /// goes up by `NewReport.reportBoost`, to at most `maxReportBoost` over its own), else on a new case about
    /// that actor. A repeat of the same delivery files nothing and returns `.duplicate`.
    func report(_ report: NewReport) async throws -> CaseOpening

    /// The reports filed on a case, oldest first.
    func reports(caseID: Int64) async throws -> [CaseReport]

    /// The cases about an activity id, oldest first: one per distinct delivery of it.
    func cases(activityID: String) async throws -> [ReviewCase]

    /// Cases matching the filter, highest priority first, then oldest first.
    func cases(matching filter: CaseFilter, limit: Int) async throws -> [ReviewCase]

    /// Counts cases per state.
    func caseCounts() async throws -> [ReviewCase.State: Int]

    /// Applies a command (claim, renew, release, decide, reopen) to a case. Throws `CaseWorkflowError`
    /// (`notFound`, `staleVersion`, `leasedElsewhere`, `badTransition`, `badReason`, `badDecision`,
    /// `forbidden`); a contractor may only work cases in the queues assigned to them.
    func apply(_ command: CaseCommand, to id: Int64, reasons: [String]) async throws -> ReviewCase

    /// Atomically leases to `principal` the highest-priority, oldest free case (open, or under an expired lease)
    /// in `queue` (all cases when nil; for a contractor, the queue must be assigned to them and nil means all of
    /// their queues), or returns nil when there is none. Two callers never get the same case.
    func next(for principal: Principal, queue: String?, lease: TimeInterval, at now: Date) async throws -> ReviewCase?

    /// Moves in-review cases whose lease ran out back to open (audited as `expire` via `expiry`); returns how many.
    func expireLeases(at now: Date) async throws -> Int

    /// Audit entries, newest first, of one case or of all.
    func audit(caseID: Int64?, limit: Int) async throws -> [AuditEntry]

    /// Adds a note; notes on a case are audited.
    func addNote(_ text: String, on subject: CaseNote.Subject, by principal: Principal, at now: Date) async throws
        -> CaseNote

    /// Notes on the subject, oldest first. For a case: its own notes and those on its actor and its domain.
    func notes(about subject: CaseNote.Subject) async throws -> [CaseNote]

    /// Proposals in a state (all when nil), oldest first.
    func proposals(state: Proposal.State?, limit: Int) async throws -> [Proposal]

    /// Confirms or refuses a pending proposal; needs `confirmProposals`. Audited on the proposal's case.
    func resolveProposal(id: Int64, confirm: Bool, by principal: Principal, at now: Date) async throws -> Proposal

    /// Creates or replaces a queue by name.
    func saveQueue(_ queue: CaseQueue) async throws

    /// All queues by name.
    func queues() async throws -> [CaseQueue]

    /// Removes a queue and its assignments; false when there was none.
    func deleteQueue(named name: String) async throws -> Bool

    /// Sets the queues an account (a contractor) may work.
    func assignQueues(_ names: [String], toAccount accountID: Int64) async throws

    func assignedQueues(account accountID: Int64) async throws -> [String]
}

extension CaseStore {
    /// Cases in the given state (all states when nil), highest priority first, then oldest first.
    public func cases(state: ReviewCase.State?, limit: Int) async throws -> [ReviewCase] {
        try await cases(matching: CaseFilter(state: state), limit: limit)
    }

    public func apply(_ command: CaseCommand, to id: Int64) async throws -> ReviewCase {
        try await apply(command, to: id, reasons: ReasonCodes.default)
    }

    /// The filters that limit what `principal` may work: nil when nothing limits them; for a contractor, their
    /// assigned queues' filters (none assigned: an empty list, which matches nothing).
    public func queueFilters(for principal: Principal) async throws -> [CaseFilter]? {
        guard principal.role == .contractor else { return nil }
        guard let accountID = principal.accountID else { return [] }
        let names = Set(try await assignedQueues(account: accountID))
        return try await queues().filter { names.contains($0.name) }.map(\.filter)
    }

    /// The filters `next` uses for a queue name: for a contractor the queue must be one of theirs.
    public func nextFilters(for principal: Principal, queue: String?) async throws -> [CaseFilter] {
        if let queue {
            guard let found = try await queues().first(where: { $0.name == queue }) else {
                throw CaseWorkflowError(.notFound, "there is no queue '\(queue)'")
            }
            if principal.role == .contractor {
                let assigned =
                    if let accountID = principal.accountID { try await assignedQueues(account: accountID) } else {
                        [String]()
                    }
                guard assigned.contains(queue) else {
                    throw CaseWorkflowError(
                        .forbidden,
                        "queue '\(queue)' is not assigned to \(principal.displayName); ask a lead to assign it")
                }
            }
            return [found.filter]
        }
        return try await queueFilters(for: principal) ?? [.all]
    }
}

extension ReviewCase {
    /// Refuses a command by a contractor on a case outside their queues (`limits`, from
    /// `CaseStore.queueFilters(for:)`; nil: not limited). State aside: their own case in review still belongs to the
    /// queue it was taken from.
    public func checkQueueLimits(_ limits: [CaseFilter]?, for principal: Principal) throws(CaseWorkflowError) {
        guard let limits else { return }
        guard limits.contains(where: { $0.matches(self, ignoringState: true) }) else {
            throw CaseWorkflowError(
                .forbidden, "case \(id) is in none of the queues assigned to \(principal.displayName)", caseID: id)
        }
    }

    /// Orders cases as `next` hands them out and lists show them: priority, then age, then id.
    public static func precedes(_ lhs: ReviewCase, _ rhs: ReviewCase) -> Bool {
        if lhs.priority != rhs.priority { return lhs.priority > rhs.priority }
        if lhs.openedAt != rhs.openedAt { return lhs.openedAt < rhs.openedAt }
        return lhs.id < rhs.id
    }
}
