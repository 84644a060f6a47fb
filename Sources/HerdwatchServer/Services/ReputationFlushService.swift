import Logging
import Reputation
import ServiceLifecycle

/// Writes reputation to the database every few seconds, and once more when the server stops, after
/// in-flight requests have drained.
struct ReputationFlushService: Service {
    let reputation: Reputation
    let interval: Duration
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while true {
                try await Task.sleep(for: interval)
                flush(waiting: false)
            }
        }
        flush(waiting: true)
    }

    /// While serving, starts a background write (evaluation goes on meanwhile); at shutdown, waits for it.
    private func flush(waiting: Bool) {
        do {
            if waiting { try reputation.flush() } else { try reputation.flushInBackground() }
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
