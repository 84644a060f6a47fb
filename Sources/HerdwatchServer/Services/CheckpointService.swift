import Logging
import ServiceLifecycle

/// How the server checkpoints its database's write-ahead log, when the database has one: `herdwatch serve` wires
/// these to the SQLite file.
public struct DatabaseCheckpoints: Sendable {
    /// Stops commits from checkpointing by themselves.
    public var takeOver: @Sendable () throws -> Void
    /// One passive checkpoint; returns the frames still in the log afterwards that it could not copy.
    public var checkpoint: @Sendable () throws -> Int
    /// Gives checkpoints back to commits.
    public var release: @Sendable () throws -> Void

    public init(
        takeOver: @escaping @Sendable () throws -> Void, checkpoint: @escaping @Sendable () throws -> Int,
        release: @escaping @Sendable () throws -> Void
    ) {
        self.takeOver = takeOver
        self.checkpoint = checkpoint
        self.release = release
    }
}

/// Checkpoints the database's write-ahead log every `interval` on the low-priority writer thread, so that no
/// request's commit does it: with SQLite's automatic checkpoint, the commit that crossed the threshold copied
/// 64 MiB into the database file and synced it, and a moderator's decision waited 120 ms for that.
/// When the service stops it checkpoints once more and gives checkpoints back to commits.
struct CheckpointService: Service {
    let checkpoints: DatabaseCheckpoints
    let interval: Duration
    let writer: ThreadPoolWork
    let logger: Logger

    func run() async throws {
        let checkpoints = checkpoints
        do {
            try await writer.run { try checkpoints.takeOver() }
        } catch {
            // Commits keep checkpointing by themselves: slower at times, never unbounded.
            logger.error("cannot take over database checkpoints; commits keep doing them", metadata: ["error": "\(error)"])
            return
        }
        await repeatUntilShutdown(every: interval, startingWithAPause: true) { await pass() }
        await pass()
        do {
            try await writer.run { try checkpoints.release() }
        } catch {
            logger.error("cannot give database checkpoints back to commits", metadata: ["error": "\(error)"])
        }
    }

    private func pass() async {
        let checkpoints = checkpoints
        do {
            _ = try await writer.run { try checkpoints.checkpoint() }
        } catch {
            logger.warning("cannot checkpoint the database; retrying at the next pass", metadata: ["error": "\(error)"])
        }
    }
}
