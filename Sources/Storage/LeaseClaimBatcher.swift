import GRDB
import ReviewQueue
import Synchronization

/// Lease claims ("next case") that arrive together share one write transaction.
///
/// SQLite has one writer, and each committed transaction waits for its own sync. Moderators tend to ask for their
/// next case at the same moments (a page of decisions lands, a shift starts), so claims queue behind each other,
/// and the last of twenty waited for nineteen commits. Here the first claim starts a transaction, and every claim
/// that arrives before the transaction begins is served in it, one after another: each sees the leases taken by
/// those before it, so no case is handed out twice. Each claim runs in a savepoint, so one that fails leaves the
/// others' claims in place; a failed transaction fails every claim in it. Callers are answered after the commit.
final class LeaseClaimBatcher: Sendable {
    typealias Claim = @Sendable (GRDB.Database) throws -> ReviewCase?
    typealias Outcome = Result<ReviewCase?, any Error>
    typealias Write = @Sendable (_ body: @escaping @Sendable (GRDB.Database) throws -> [Outcome]) async throws -> [Outcome]

    private struct Waiting: Sendable {
        let claim: Claim
        let continuation: CheckedContinuation<ReviewCase?, any Error>
    }

    private struct State {
        var waiting: [Waiting] = []
        var draining = false
    }

    private let state = Mutex(State())

    /// Claims waiting for a transaction to take them (for tests).
    var waitingCount: Int { state.withLock { $0.waiting.count } }

    /// Runs `claim` in a write transaction shared with the claims waiting alongside it; `write` runs one
    /// transaction (the store's own, so errors are reported as the store reports them).
    func claim(_ claim: @escaping Claim, write: @escaping Write) async throws -> ReviewCase? {
        try await withCheckedThrowingContinuation { continuation in
            let leads = state.withLock { state in
                state.waiting.append(Waiting(claim: claim, continuation: continuation))
                guard !state.draining else { return false }
                state.draining = true
                return true
            }
            if leads { Task { await self.drain(write) } }
        }
    }

    /// Serves waiting claims, a transaction at a time, until none is left.
    private func drain(_ write: Write) async {
        repeat {
            let taken = Mutex<[Waiting]>([])
            let outcomes: Result<[Outcome], any Error>
            do {
                outcomes = .success(
                    try await write { db in
                        // Taken inside the transaction: claims that arrived while it waited for the writer join it.
                        let batch = self.state.withLock { state in
                            defer { state.waiting.removeAll(keepingCapacity: true) }
                            return state.waiting
                        }
                        taken.withLock { $0 = batch }
                        return batch.map { waiting in
                            var outcome: Outcome = .success(nil)
                            do {
                                try db.inSavepoint {
                                    outcome = .success(try waiting.claim(db))
                                    return .commit
                                }
                            } catch {
                                outcome = .failure(error)
                            }
                            return outcome
                        }
                    })
            } catch {
                outcomes = .failure(error)
            }
            var batch = taken.withLock { $0 }
            switch outcomes {
            case .success(let outcomes):
                for (waiting, outcome) in zip(batch, outcomes) { waiting.continuation.resume(with: outcome) }
            case .failure(let error):
                // The transaction failed, perhaps before it took anything: fail what it took, or what waits.
                if batch.isEmpty {
                    batch = state.withLock { state in
                        defer { state.waiting.removeAll(keepingCapacity: true) }
                        return state.waiting
                    }
                }
                for waiting in batch { waiting.continuation.resume(throwing: error) }
            }
        } while state.withLock({ state in
            state.draining = !state.waiting.isEmpty
            return state.draining
        })
    }
}
