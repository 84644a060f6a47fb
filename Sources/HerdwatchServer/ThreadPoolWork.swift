public import Intake
public import NIOPosix

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

import Foundation
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
