public import Foundation
import Synchronization

/// What `InMemoryCaseStore` keeps for metrics, QA and retention beside its cases.
struct InMemoryCaseQuality: Sendable {
    var slas: [String: Int] = [:]
    /// When each purged case's evidence was purged.
    var purged: [Int64: Date] = [:]
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
