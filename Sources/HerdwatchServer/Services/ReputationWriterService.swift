import Logging
import Intake
import Reputation
import NIOPosix
import ServiceLifecycle

/// Reputation's writer: writes the batches evaluation hands over, on a thread of its own at a lower priority
/// than evaluation; every few seconds starts a write of what is pending, and once more when the server stops,
/// after in-flight requests have drained, writes everything. Nothing here blocks an event loop: every store
/// call runs on the writer's thread.
struct ReputationWriterService: Service {
    let reputation: Reputation
    let interval: Duration
    let writer: ThreadPoolWork
    let logger: Logger

    func run() async throws {
        let reputation = reputation
        let writer = writer
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await reputation.runWriter { body in try await writer.run(body) }
            }
            await repeatUntilShutdown(every: interval, startingWithAPause: true) { await flush(waiting: false) }
            group.cancelAll()
        }
        await flush(waiting: true)
    }

    /// While serving, starts a background write (evaluation goes on meanwhile); at shutdown, waits for it.
    private func flush(waiting: Bool) async {
        let reputation = reputation
        do {
            try await writer.run {
                if waiting { try reputation.flush() } else { try reputation.flushInBackground() }
            }
        } catch {
            logger.error("cannot write reputation to the database", metadata: ["error": "\(error)"])
        }
    }
}

/// Shuts the shared HTTP client down when the server stops.
struct HTTPClientShutdownService: Service {
    let shutdown: @Sendable () async throws -> Void

    func run() async throws {
        try? await gracefulShutdown()
        try await shutdown()
    }
}

/// Stops the server's thread pools for blocking work once everything else has stopped.
struct ThreadPoolShutdownService: Service {
    let pools: [NIOThreadPool]

    func run() async throws {
        try? await gracefulShutdown()
        for pool in pools { try await pool.shutdownGracefully() }
    }
}
