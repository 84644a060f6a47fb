import Intake
import Logging
import Reputation
import ServiceLifecycle

/// Writes what the follow graph learned, on the reputation writer's thread: every few seconds while serving
/// (when anything is pending), and once more when the server stops, after in-flight requests have drained.
struct FollowWriterService: Service {
    let follows: LocalFollows
    let interval: Duration
    let writer: ThreadPoolWork
    let logger: Logger

    func run() async throws {
        await repeatUntilShutdown(every: interval, startingWithAPause: true) { await flush() }
        await flush()
    }

    private func flush() async {
        let follows = follows
        guard follows.pendingChanges > 0 else { return }
        do {
            try await writer.run { try follows.flush() }
        } catch {
            logger.error("cannot write the follow graph to the database", metadata: ["error": "\(error)"])
        }
    }
}
