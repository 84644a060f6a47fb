import Dispatch
import NIOCore
import PostgresNIO
import Synchronization

extension PostgreSQLDatabase {
    /// Runs `work` and waits for it, blocking the calling thread: the bridge for the synchronous store protocols
    /// (`ReputationStore`, `FollowStore`), which are called where blocking is allowed (the server's writer
    /// thread pool, `Reputation.load`'s thread).
    ///
    /// Never call it on a NIO event loop (the queries it waits for run there) or in the Swift concurrency pool
    /// (its few threads would wait for work that needs them): debug builds stop with a message when it is.
    public func blocking<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
        assert(
            !Self.isOnEventLoop,
            "PostgreSQLDatabase.blocking called on an event loop: call the store from a thread that may block")
        assert(
            withUnsafeCurrentTask { $0 == nil },
            "PostgreSQLDatabase.blocking called from a Swift task: call the store from a thread that may block")
        let done = DispatchSemaphore(value: 0)
        let result = Mutex<Result<T, any Error>?>(nil)
        // Unstructured on purpose: the caller is synchronous and waits for it below, so it never outlives the call.
        Task {
            let outcome: Result<T, any Error>
            do { outcome = .success(try await work()) } catch { outcome = .failure(error) }
            result.withLock { $0 = outcome }
            done.signal()
        }
        done.wait()
        return try result.withLock { $0! }.get()
    }

    /// Whether the current thread is one of the event loops the pool's connections run on.
    private static var isOnEventLoop: Bool {
        PostgresClient.defaultEventLoopGroup.makeIterator().contains { $0.inEventLoop }
    }
}
