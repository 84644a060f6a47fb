import NIOCore
import NIOPosix

/// Process-wide settings of the server's runtime.
public enum ServerRuntime {
    /// Makes the event loops that do the server's network I/O (NIO's singleton group, which Hummingbird uses)
    /// Swift Concurrency's global executor, so a request is read, checked and answered on one thread instead of
    /// hopping between the event loops and the concurrency pool twice per request.
    ///
    /// Call it first thing in the process, from the main thread, before anything starts a task; it returns
    /// false when it cannot install (another executor hook is in place, or the platform lacks support), and the
    /// server then runs as it would without it.
    public static func runConcurrencyOnEventLoops() -> Bool {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }
}
