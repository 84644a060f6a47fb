import Foundation
import Logging
import ReviewQueue
import ServiceLifecycle

/// Gives expired leases back to the queue every `interval`: `next` already treats an expired lease as free, but
/// until this runs the case still lists as in review under the name of someone who left. Each expiry is an audit
/// entry made `via: expiry`.
struct LeaseExpiryService: Service {
    let cases: any CaseStore
    let interval: Duration
    let logger: Logger
    var now: @Sendable () -> Date = { Date() }

    func run() async throws {
        await repeatUntilShutdown(every: interval) { await expire() }
    }

    func expire() async {
        do {
            let expired = try await cases.expireLeases(at: now())
            if expired > 0 { logger.info("leases expired", metadata: ["cases": "\(expired)"]) }
        } catch {
            logger.warning("cannot expire leases now", metadata: ["error": "\(error)"])
        }
    }
}
