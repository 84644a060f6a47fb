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
