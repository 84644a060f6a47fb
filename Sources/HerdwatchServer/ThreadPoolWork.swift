import Foundation
public import Intake
public import NIOPosix
public import Reputation

/// Blocking work on a NIO thread pool: how the server keeps reputation's store reads and writes, and any wait on
/// their lock, off the event loops (which, for the hook alone, also run its tasks).
public struct ThreadPoolWork: BlockingWork {
    let pool: NIOThreadPool

    public init(pool: NIOThreadPool) {
        self.pool = pool
    }

    public func run<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await pool.runIfActive(body)
    }
}

#if canImport(Glibc)
    import Glibc
#endif

extension ThreadPoolWork {
    /// A pool of one thread whose scheduling priority is lowered (nice +10): for writes that may lag behind
    /// answering on a busy machine. `ps -L` shows the thread as `hw-rep-writer`.
    public static func lowPriorityWriter() -> (work: ThreadPoolWork, pool: NIOThreadPool) {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        pool.submit { _ in
            Thread.current.name = "hw-rep-writer"
            #if os(Linux)
                // On Linux priorities belong to threads: `who` 0 is the calling thread only.
                setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
            #endif
        }
        return (ThreadPoolWork(pool: pool), pool)
    }
}

extension Reputation {
    /// Runs `body` with this reputation's batches written on a low-priority thread of their own, as the server
    /// writes them (for replays: `herdwatch check --db`, `herdwatch-bench stream`); then detaches the writer,
    /// writes what is pending and stops the thread.
    public func withBackgroundWriter<Result>(_ body: () async throws -> Result) async throws -> Result {
        let writer = ThreadPoolWork.lowPriorityWriter()
        // The runner is cancelled once `body` is done; a batch handed to it just before must still be written, not
        // dropped as a cancelled work item and reported by the final flush as a CancellationError.
        let runner = Task { await runWriter { try await ThreadPoolWork.runEvenIfCancelled($0, on: writer.pool) } }
        let result: Result
        do {
            result = try await body()
        } catch {
            runner.cancel()
            await runner.value
            try? await writer.pool.shutdownGracefully()
            throw error
        }
        runner.cancel()
        await runner.value
        try await writer.work.run { try self.flush() }
        try await writer.pool.shutdownGracefully()
        return result
    }
}

extension ThreadPoolWork {
    /// Runs `body` on `pool` whether or not the calling task is cancelled meanwhile (`NIOThreadPool.runIfActive`
    /// drops work whose task was cancelled before it started).
    static func runEvenIfCancelled(_ body: @escaping @Sendable () throws -> Void, on pool: NIOThreadPool) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            pool.submit { state in
                guard case .active = state else {
                    continuation.resume(throwing: NIOThreadPoolError.ThreadPoolInactive())
                    return
                }
                continuation.resume(with: Result(catching: body))
            }
        }
    }
}
