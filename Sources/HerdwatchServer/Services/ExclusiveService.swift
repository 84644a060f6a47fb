import Logging
import ServiceLifecycle

/// Roles that one node at a time holds among the nodes sharing a database: where several `herdwatch serve`
/// share PostgreSQL, the background jobs that act on the shared data (lease expiry, evidence retention,
/// subscription sync) run on one of them, and another takes over when it dies. A single node on SQLite needs none.
public protocol NodeRoles: Sendable {
    /// Runs `body` while this node holds `role`, and only then; waits (trying again) while another node holds it.
    /// Returns when `body` returns; cancelled, `body` is cancelled.
    func whileHolding(_ role: String, _ body: @escaping @Sendable () async throws -> Void) async throws
}

/// Runs `service` on this node only while the node holds `role`.
struct ExclusiveService: Service {
    let role: String
    let roles: any NodeRoles
    let service: any Service

    func run() async throws {
        let service = service
        try? await cancelWhenGracefulShutdown {
            try await roles.whileHolding(role) { try await service.run() }
        }
    }
}

/// Signals between the nodes sharing a database: a node that reloaded its rules tells the others to reload
/// theirs, and the database tells every node when the blocklist changed. A single node needs none.
public protocol NodeSignals: Sendable {
    /// Tells the other nodes that `kind` changed.
    func send(_ kind: String) async throws
    /// Calls `handler` with the kind of each signal from elsewhere, until cancelled.
    func listen(_ handler: @escaping @Sendable (_ kind: String) async -> Void) async throws
}

/// Acts on other nodes' signals: `rules` reloads this node's rule directory, `blocklist` re-reads the list.
struct NodeSignalService: Service {
    let signals: any NodeSignals
    let reloader: RuleReloader
    let blocklist: AppliedBlocklist
    let logger: Logger

    func run() async throws {
        let (reloader, blocklist, logger) = (reloader, blocklist, logger)
        try? await cancelWhenGracefulShutdown {
            try await signals.listen { kind in
                switch kind {
                case "rules":
                    _ = await reloader.reload(by: RuleReloader.anotherNode)
                case "blocklist":
                    do {
                        try await blocklist.refresh()
                    } catch {
                        logger.error("cannot reload the domain blocks another node changed", metadata: ["error": "\(error)"])
                    }
                default:
                    logger.debug("ignored a signal from another node", metadata: ["signal": "\(kind)"])
                }
            }
        }
    }
}
