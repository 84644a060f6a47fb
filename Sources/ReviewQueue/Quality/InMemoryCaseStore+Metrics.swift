public import Access
public import Foundation
import RuleEngine
import Synchronization

/// What `InMemoryCaseStore` keeps for metrics, QA and retention beside its cases.
struct InMemoryCaseQuality: Sendable {
    var slas: [String: Int] = [:]
    /// When each purged case's evidence was purged.
    var purged: [Int64: Date] = [:]
    var qa: [Int64: QAReview] = [:]
}

extension InMemoryCaseStore: CaseMetricsStore {
    public func metrics(at now: Date, defaultSLAMinutes: Int) async throws -> CaseMetrics {
        let (cases, audit, queues) = state.withLock { state in
            (Array(state.cases.values), state.audit, Array(state.queues.values))
        }
        let slas = quality.withLock { $0.slas }
        return CaseMetrics.compute(
            cases: cases, audit: audit, queues: queues, slas: slas, defaultSLAMinutes: defaultSLAMinutes, at: now)
    }

    public func setSLA(minutes: Int?, forQueue name: String) async throws -> Bool {
        guard state.withLock({ $0.queues[name] != nil }) else { return false }
        quality.withLock { $0.slas[name] = minutes }
        return true
    }

    public func queueSLAs() async throws -> [String: Int] {
        let names = Set(state.withLock { $0.queues.keys })
        return quality.withLock { $0.slas }.filter { names.contains($0.key) }
    }
}

extension InMemoryCaseStore: CaseRetentionStore {
    public func purgeEvidence(closedBefore cutoff: Date, at now: Date, limit: Int) async throws -> [Int64] {
        state.withLock { state in
            quality.withLock { quality in
                let due = state.cases.values.filter { reviewCase in
                    guard reviewCase.state == .closed, let closedAt = reviewCase.closedAt else { return false }
                    return closedAt < cutoff && quality.purged[reviewCase.id] == nil
                }.sorted { ($0.closedAt!, $0.id) < ($1.closedAt!, $1.id) }.prefix(limit)
                for var reviewCase in due {
                    reviewCase.body = []
                    reviewCase.request = nil
                    reviewCase.actorDocument = nil
                    state.cases[reviewCase.id] = reviewCase
                    quality.purged[reviewCase.id] = now
                    var entry = AuditEntry.evidencePurge(caseID: reviewCase.id, at: now, closedAt: reviewCase.closedAt!)
                    entry.id = state.rowID()
                    state.audit.append(entry)
                }
                return due.map(\.id)
            }
        }
    }

    public func evidencePurgedAt(caseID: Int64) async throws -> Date? {
        quality.withLock { $0.purged[caseID] }
    }
}

extension InMemoryCaseStore: CaseQAStore {
    public func nextQA(for principal: Principal, share: Double, lease: TimeInterval, at now: Date) async throws
        -> (QAReview, ReviewCase)?
    {
        try QAReview.checkReviewer(principal)
        return state.withLock { state in
            quality.withLock { quality in
                for reviewCase in state.cases.values where quality.qa[reviewCase.id] == nil {
                    guard reviewCase.state == .closed, let outcome = reviewCase.outcome,
                        let decider = reviewCase.decidedBy, let closedAt = reviewCase.closedAt,
                        QASampling.isSampled(caseID: reviewCase.id, share: share)
                    else { continue }
                    let decision = state.audit.last {
                        $0.caseID == reviewCase.id && ($0.action == .approve || $0.action == .reject)
                    }
                    quality.qa[reviewCase.id] = QAReview(
                        caseID: reviewCase.id, firstDecider: decider, firstAccountID: decision?.accountID,
                        firstOutcome: outcome, sampledAt: max(now, closedAt))
                }
                let free = quality.qa.values.filter { review in
                    review.outcome == nil && !review.isFirstDecider(principal)
                        && (review.lease.map { !$0.isActive(at: now) || $0.holder == principal.leaseKey } ?? true)
                }.min { $0.caseID < $1.caseID }
                guard var review = free, let reviewCase = state.cases[review.caseID] else { return nil }
                review.lease = ReviewCase.Lease(
                    holder: principal.leaseKey, holderName: principal.displayName,
                    expiresAt: now.addingTimeInterval(lease))
                quality.qa[review.caseID] = review
                return (review, reviewCase)
            }
        }
    }

    public func answerQA(caseID: Int64, outcome: ReviewCase.Outcome, by principal: Principal, at now: Date)
        async throws -> QAReview
    {
        try quality.withLock { quality throws(CaseWorkflowError) in
            guard let review = quality.qa[caseID] else {
                throw CaseWorkflowError(.notFound, "case \(caseID) has no QA review", caseID: caseID)
            }
            let answered = try review.answering(outcome, by: principal, at: now)
            quality.qa[caseID] = answered
            return answered
        }
    }

    public func qaAgreement() async throws -> (moderators: [QAAgreement], rules: [QAAgreement]) {
        let answered = quality.withLock { $0.qa.values.filter { $0.outcome != nil } }
        let cases = state.withLock { $0.cases }
        var moderators: [String: QAAgreement] = [:]
        var rules: [String: QAAgreement] = [:]
        func count(_ table: inout [String: QAAgreement], _ name: String, _ agrees: Bool) {
            var row = table[name] ?? QAAgreement(name: name, reviewed: 0, agreed: 0)
            row.reviewed += 1
            row.agreed += agrees ? 1 : 0
            table[name] = row
        }
        for review in answered {
            let agrees = review.agrees == true
            count(&moderators, review.firstDecider, agrees)
            for rule in cases[review.caseID]?.verdict.hits.map(\.rule) ?? [] { count(&rules, rule, agrees) }
        }
        return (moderators.values.sorted { $0.name < $1.name }, rules.values.sorted { $0.name < $1.name })
    }
}
