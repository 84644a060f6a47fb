public import Access
public import Foundation
import RuleEngine
import Synchronization

/// `CaseStore` in memory, for tests.
public final class InMemoryCaseStore: CaseStore {
    struct State {
        var cases: [Int64: ReviewCase] = [:]
        var byDelivery: [String: Int64] = [:]
        var nextID: Int64 = 1
        var audit: [AuditEntry] = []
        var notes: [CaseNote] = []
        var proposals: [Int64: Proposal] = [:]
        var queues: [String: CaseQueue] = [:]
        var assignments: [Int64: [String]] = [:]
        var reports: [CaseReport] = []
        var reportKeys: [String: Int64] = [:]
        var nextRowID: Int64 = 1

        mutating func rowID() -> Int64 {
            defer { nextRowID += 1 }
            return nextRowID
        }

        mutating func commit(_ update: CaseUpdate) {
            cases[update.reviewCase.id] = update.reviewCase
            for var entry in update.audit {
                entry.id = rowID()
                audit.append(entry)
            }
            for var proposal in update.proposals {
                proposal.id = rowID()
                proposals[proposal.id] = proposal
            }
        }

        mutating func open(_ newCase: NewCase) -> CaseOpening {
            if let id = byDelivery[newCase.deliveryKey], var existing = cases[id] {
                existing.duplicateDeliveries += 1
                cases[id] = existing
                return .duplicate(existing)
            }
            let reviewCase = ReviewCase(
                id: nextID, activityID: newCase.activityID, actorID: newCase.actorID, signer: newCase.signer,
                deliveryKey: newCase.deliveryKey, source: newCase.source, action: newCase.verdict.action,
                verdict: newCase.verdict,
                state: .open, priority: newCase.priority, openedAt: newCase.openedAt, body: newCase.body,
                request: newCase.request,
                evidenceDigest: EvidenceDigest.of(body: newCase.body, request: newCase.request, actorDocument: newCase.actorDocument),
                actorDocument: newCase.actorDocument)
            nextID += 1
            cases[reviewCase.id] = reviewCase
            byDelivery[reviewCase.deliveryKey] = reviewCase.id
            return .opened(reviewCase)
        }

        mutating func file(_ report: NewReport, on caseID: Int64) {
            reportKeys[report.deliveryKey] = caseID
            reports.append(
                CaseReport(
                    id: rowID(), caseID: caseID, activityID: report.activityID, reporter: report.reporter,
                    objects: report.objects,
                    comment: report.comment, at: report.receivedAt))
        }

        func limits(for principal: Principal) -> [CaseFilter]? {
            guard principal.role == .contractor else { return nil }
            let names = principal.accountID.flatMap { assignments[$0] } ?? []
            return names.compactMap { queues[$0]?.filter }
        }
    }

    let state = Mutex(State())
    /// Queue SLAs, QA reviews and evidence purges (`InMemoryCaseStore+Metrics.swift`).
    let quality = Mutex(InMemoryCaseQuality())

    public init() {}

    public func open(_ newCase: NewCase) async throws -> CaseOpening {
        state.withLock { $0.open(newCase) }
    }

    public func reviewCase(id: Int64) async throws -> ReviewCase? {
        state.withLock { $0.cases[id] }
    }

    public func report(_ report: NewReport) async throws -> CaseOpening {
        state.withLock { state in
            if let duplicate = state.reportKeys[report.deliveryKey].flatMap({ state.cases[$0] }) {
                return .duplicate(duplicate)
            }
            let open = state.cases.values.filter { $0.state != .closed && $0.subjectActor == report.flaggedActor }
            if var existing = open.min(by: { $0.id < $1.id }) {
                if existing.reports * NewReport.reportBoost < NewReport.maxReportBoost {
                    existing.priority += NewReport.reportBoost
                }
                existing.reports += 1
                state.cases[existing.id] = existing
                state.file(report, on: existing.id)
                return .duplicate(existing)
            }
            var reviewCase = state.open(report.newCase).reviewCase
            reviewCase.reports = 1
            reviewCase.priority += NewReport.reportBoost
            state.cases[reviewCase.id] = reviewCase
            state.file(report, on: reviewCase.id)
            return .opened(reviewCase)
        }
    }

    public func reports(caseID: Int64) async throws -> [CaseReport] {
        state.withLock { state in state.reports.filter { $0.caseID == caseID } }
    }

    public func cases(activityID: String) async throws -> [ReviewCase] {
        state.withLock { state in state.cases.values.filter { $0.activityID == activityID }.sorted { $0.id < $1.id } }
    }

    public func cases(matching filter: CaseFilter, limit: Int) async throws -> [ReviewCase] {
        state.withLock { state in
            Array(state.cases.values.filter { filter.matches($0) }.sorted(by: ReviewCase.precedes).prefix(limit))
        }
    }

    public func caseCounts() async throws -> [ReviewCase.State: Int] {
        state.withLock { state in
            state.cases.values.reduce(into: [:]) { counts, reviewCase in counts[reviewCase.state, default: 0] += 1 }
        }
    }

    public func apply(_ command: CaseCommand, to id: Int64, reasons: [String]) async throws -> ReviewCase {
        try state.withLock { state throws(CaseWorkflowError) in
            guard let reviewCase = state.cases[id] else { throw .notFound(id) }
            try reviewCase.checkQueueLimits(state.limits(for: command.principal), for: command.principal)
            let update = try reviewCase.applying(command, reasons: reasons)
            state.commit(update)
            return update.reviewCase
        }
    }

    public func next(for principal: Principal, queue: String?, lease: TimeInterval, at now: Date) async throws
        -> ReviewCase?
    {
        let filters = try await nextFilters(for: principal, queue: queue)
        return try state.withLock { state throws(CaseWorkflowError) in
            let candidates = state.cases.values.filter { reviewCase in
                reviewCase.isFree(at: now)
                    && filters.contains { filter in
                        filter.matches(reviewCase, ignoringState: true)
                            && (reviewCase.state == .escalated) == (filter.state == .escalated)
                    }
            }
            guard let chosen = candidates.min(by: ReviewCase.precedes) else { return nil }
            let update = try chosen.applying(CaseCommand(.claim(lease: lease), by: principal, at: now))
            state.commit(update)
            return update.reviewCase
        }
    }

    public func expireLeases(at now: Date) async throws -> Int {
        state.withLock { state in
            let updates = state.cases.values.compactMap { $0.expiringLease(at: now) }
            for update in updates { state.commit(update) }
            return updates.count
        }
    }

    public func audit(caseID: Int64?, limit: Int) async throws -> [AuditEntry] {
        state.withLock { state in
            Array(state.audit.reversed().filter { caseID == nil || $0.caseID == caseID }.prefix(limit))
        }
    }

    public func addNote(_ text: String, on subject: CaseNote.Subject, by principal: Principal, at now: Date)
        async throws -> CaseNote
    {
        try state.withLock { state throws(CaseWorkflowError) in
            guard principal.allows(.decide) else {
                throw CaseWorkflowError(.forbidden, "\(principal.displayName) may not write notes")
            }
            if case .reviewCase(let id) = subject {
                guard let reviewCase = state.cases[id] else { throw .notFound(id) }
                try reviewCase.checkQueueLimits(state.limits(for: principal), for: principal)
                let id = state.rowID()
                state.audit.append(
                    AuditEntry(
                        by: principal, at: now, caseID: reviewCase.id, action: .note, from: reviewCase.state,
                        to: reviewCase.state, note: text
                    )
                    .with(id: id))
            }
            let note = CaseNote(
                id: state.rowID(), subject: subject, at: now, author: principal.displayName,
                accountID: principal.accountID, text: text)
            state.notes.append(note)
            return note
        }
    }

    public func notes(about subject: CaseNote.Subject) async throws -> [CaseNote] {
        state.withLock { state in
            let subjects = noteSubjects(subject, state.cases)
            return state.notes.filter { subjects.contains($0.subject) }
        }
    }

    public func proposals(state wanted: Proposal.State?, limit: Int) async throws -> [Proposal] {
        state.withLock { state in
            Array(
                state.proposals.values.filter { wanted == nil || $0.state == wanted }.sorted { $0.id < $1.id }.prefix(
                    limit))
        }
    }

    public func resolveProposal(id: Int64, confirm: Bool, by principal: Principal, at now: Date) async throws
        -> Proposal
    {
        try state.withLock { state throws(CaseWorkflowError) in
            guard let proposal = state.proposals[id] else {
                throw CaseWorkflowError(.notFound, "there is no proposal \(id)")
            }
            let (resolved, entry) = try proposal.resolving(confirm: confirm, by: principal, at: now)
            state.proposals[id] = resolved
            state.audit.append(entry.with(id: state.rowID()))
            return resolved
        }
    }

    public func saveQueue(_ queue: CaseQueue) async throws {
        state.withLock { $0.queues[queue.name] = queue }
    }

    public func queues() async throws -> [CaseQueue] {
        state.withLock { $0.queues.values.sorted { $0.name < $1.name } }
    }

    public func deleteQueue(named name: String) async throws -> Bool {
        state.withLock { state in
            for (account, names) in state.assignments { state.assignments[account] = names.filter { $0 != name } }
            return state.queues.removeValue(forKey: name) != nil
        }
    }

    public func assignQueues(_ names: [String], toAccount accountID: Int64) async throws {
        state.withLock { $0.assignments[accountID] = Array(Set(names)).sorted() }
    }

    public func assignedQueues(account accountID: Int64) async throws -> [String] {
        state.withLock { $0.assignments[accountID] ?? [] }
    }
}

/// The subjects whose notes show with `subject`: a case's own, its actor's and its domain's.
func noteSubjects(_ subject: CaseNote.Subject, _ cases: [Int64: ReviewCase]) -> Set<CaseNote.Subject> {
    guard case .reviewCase(let id) = subject, let reviewCase = cases[id] else { return [subject] }
    var subjects: Set<CaseNote.Subject> = [subject]
    if let actor = reviewCase.subjectActor { subjects.insert(.actor(actor)) }
    if let host = reviewCase.host { subjects.insert(.domain(host)) }
    return subjects
}
