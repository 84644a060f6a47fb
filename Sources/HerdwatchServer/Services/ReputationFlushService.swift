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
                flush()
            }
        }
        flush()
    }

    private func flush() {
        do {
            try reputation.flush()
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
