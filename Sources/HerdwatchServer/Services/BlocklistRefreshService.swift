import Logging
import ServiceLifecycle

/// Picks up changes another process made to the applied list (`herdwatch blocklist import` on the database
/// file): every `interval` asks the store's cheap change counter and, when it moved, refreshes the list the gate
/// and the admin API read. Changes made through the admin API refresh at once and need no polling.
struct BlocklistRefreshService: Service {
    let blocklist: AppliedBlocklist
    let version: @Sendable () async throws -> Int
    let interval: Duration
    let logger: Logger

    func run() async throws {
        let first = try? await version()
        try? await cancelWhenGracefulShutdown {
            var seen = first
            while true {
                try await Task.sleep(for: interval)
                do {
                    let now = try await version()
                    guard now != seen else { continue }
                    try await blocklist.refresh()
                    seen = now
                    logger.info(
                        "domain blocks changed on the database; reloaded", metadata: ["blocklist.version": "\(now)"])
                } catch {
                    logger.error(
                        "cannot read the domain blocks; the gate keeps the ones it has", metadata: ["error": "\(error)"]
                    )
                }
            }
        }
    }
}
