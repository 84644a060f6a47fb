/// Where work that may wait on a disk or a lock runs, so that an async caller's thread never blocks on it. The
/// server runs it on a thread pool of its own, off the event loops; a command-line replay, which owns its
/// threads, runs it where it is.
public protocol BlockingWork: Sendable {
    func run<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result
}

/// Runs blocking work on the caller's thread: for command-line replays, never for a server.
public struct InlineWork: BlockingWork {
    public init() {}

    public func run<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try body()
    }
}
