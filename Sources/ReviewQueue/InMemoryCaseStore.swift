import Foundation
import RuleEngine
import Synchronization

/// `CaseStore` in memory, for tests.
public final class InMemoryCaseStore: CaseStore {
    private struct State {
        var cases: [Int64: ReviewCase] = [:]
        var byDelivery: [String: Int64] = [:]
        var nextID: Int64 = 1
    }

    private let state = Mutex(State())

    public init() {}

    public func open(_ newCase: NewCase) async throws -> CaseOpening {
        state.withLock { state in
            if let id = state.byDelivery[newCase.deliveryKey], var existing = state.cases[id] {
                existing.duplicateDeliveries += 1
                state.cases[id] = existing
                return .duplicate(existing)
            }
            let reviewCase = ReviewCase(
                id: state.nextID, activityID: newCase.activityID, actorID: newCase.actorID, signer: newCase.signer,
                deliveryKey: newCase.deliveryKey, source: newCase.source, action: newCase.verdict.action, verdict: newCase.verdict, state: .open, openedAt: newCase.openedAt,
                body: newCase.body, request: newCase.request)
            state.nextID += 1
            state.cases[reviewCase.id] = reviewCase
            state.byDelivery[reviewCase.deliveryKey] = reviewCase.id
            return .opened(reviewCase)
        }
    }

    public func reviewCase(id: Int64) async throws -> ReviewCase? {
        state.withLock { $0.cases[id] }
    }

    public func cases(activityID: String) async throws -> [ReviewCase] {
        state.withLock { state in state.cases.values.filter { $0.activityID == activityID }.sorted { $0.id < $1.id } }
    }

    public func cases(state wanted: ReviewCase.State?, limit: Int) async throws -> [ReviewCase] {
        state.withLock { state in
            Array(state.cases.values.filter { wanted == nil || $0.state == wanted }.sorted { $0.id < $1.id }.prefix(limit))
        }
    }

    public func caseCounts() async throws -> [ReviewCase.State: Int] {
        state.withLock { state in
            state.cases.values.reduce(into: [:]) { counts, reviewCase in counts[reviewCase.state, default: 0] += 1 }
        }
    }

    public func decide(
        id: Int64, state newState: ReviewCase.State, delivery: ReviewCase.Delivery?, by decider: String?
    ) async throws -> ReviewCase? {
        try state.withLock { state in
            guard var reviewCase = state.cases[id] else { return nil }
            guard reviewCase.state == .open else { throw CaseTransitionError(caseID: id, state: reviewCase.state) }
            reviewCase.state = newState
            reviewCase.delivery = delivery
            reviewCase.decidedBy = decider
            state.cases[id] = reviewCase
            return reviewCase
        }
    }
}
