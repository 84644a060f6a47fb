import Foundation
import Intake
import Logging
import ServiceLifecycle

/// Drops shared delivery verdicts older than `retention` every `interval`. A sender's retries come within
/// hours of the first attempt; older entries only grow the table.
struct DeliveryLedgerService: Service {
    let ledger: any DeliveryLedger
    let retention: TimeInterval
    let interval: Duration
    let logger: Logger
    var now: @Sendable () -> Date = { Date() }

    func run() async throws {
        await repeatUntilShutdown(every: interval) { await prune() }
    }

    func prune() async {
        do {
            let dropped = try await ledger.forget(before: now().addingTimeInterval(-retention))
            if dropped > 0 { logger.debug("shared delivery verdicts dropped", metadata: ["deliveries": "\(dropped)"]) }
        } catch {
            logger.warning("cannot drop old shared delivery verdicts now", metadata: ["error": "\(error)"])
        }
    }
}
