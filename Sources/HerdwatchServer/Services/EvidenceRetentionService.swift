import Foundation
import Logging
import ReviewQueue
import ServiceLifecycle

/// Purges the evidence of cases closed longer than `retention` ago (`review.evidenceRetentionDays`): at start,
/// then every `interval`, in batches so that one write never holds the database long. Stops on graceful shutdown.
struct EvidenceRetentionService: Service {
    let store: any CaseRetentionStore
    let retention: TimeInterval
    let interval: Duration
    let clock: @Sendable () -> Date
    let logger: Logger

    static let batchSize = 500

    init(
        store: any CaseRetentionStore, retention: TimeInterval, interval: Duration = .seconds(3600),
        clock: @escaping @Sendable () -> Date = { Date() }, logger: Logger
    ) {
        self.store = store
        self.retention = retention
        self.interval = interval
        self.clock = clock
        self.logger = logger
    }

    func run() async throws {
        await repeatUntilShutdown(every: interval) { await purge() }
    }

    /// Purges everything due now; returns how many cases lost their evidence. A failure is logged and retried at
    /// the next pass.
    @discardableResult
    func purge() async -> Int {
        let now = clock()
        var total = 0
        do {
            while !Task.isCancelled {
                let purged = try await store.purgeEvidence(
                    closedBefore: now.addingTimeInterval(-retention), at: now, limit: Self.batchSize)
                total += purged.count
                if purged.count < Self.batchSize { break }
            }
        } catch {
            logger.error("cannot purge the evidence of old cases", metadata: ["error": "\(error)"])
        }
        if total > 0 {
            logger.info("purged the evidence of closed cases", metadata: ["cases.purged": "\(total)"])
        }
        return total
    }
}
