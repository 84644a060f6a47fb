public import Foundation
import Synchronization

/// What `InMemoryCaseStore` keeps for metrics, QA and retention beside its cases.
struct InMemoryCaseQuality: Sendable {
    var slas: [String: Int] = [:]
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
