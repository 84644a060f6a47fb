import Access
import Blocklists
import Foundation
import HerdwatchServer
import Intake
import PostgresStorage
import Reputation
import ReviewQueue
import Storage

/// The stores `herdwatch serve` runs on: the SQLite file (one node), or a PostgreSQL database shared by several
/// nodes (`--database`, `database.url`, `HERDWATCH_DATABASE_URL`). Everything above them is the same.
struct ServeStores {
    var access: any AccessStore
    var sessions: any SessionStore
    var cases: any CaseStore
    var blocks: any BlocklistStore
    /// Every entry the subscriptions carry (for `domain.peer_listed`).
    var subscribed: @Sendable () async throws -> [DomainBlock]
    /// A number that changes whenever the applied list or a subscription's entries change.
    var blocklistVersion: @Sendable () async throws -> Int
    var follows: any FollowStore
    var reputation: any ReputationStore
    var checkpoints: DatabaseCheckpoints?
    var roles: (any NodeRoles)?
    var signals: (any NodeSignals)?
    /// Every node's delivery verdicts, where nodes share a database.
    var deliveries: (any DeliveryLedger)?
    /// How messages name the store.
    var label: String
    /// The command-line option that names it, for the commands a message suggests.
    var option: String

    /// The SQLite file at `path`.
    static func sqlite(path: String, busyTimeout: TimeInterval) throws -> ServeStores {
        let database = try open(path, busyTimeout: busyTimeout)
        let blocks = SQLiteBlocklistStore(database: database)
        return ServeStores(
            access: SQLiteAccessStore(database: database), sessions: SQLiteSessionStore(database: database),
            cases: SQLiteCaseStore(database: database), blocks: blocks,
            subscribed: { try await blocks.allSubscriptionEntries() }, blocklistVersion: { try await blocks.version() },
            follows: SQLiteFollowStore(database: database), reputation: SQLiteReputationStore(database: database),
            checkpoints: DatabaseCheckpoints(
                takeOver: { try database.takeOverCheckpoints() },
                checkpoint: { try database.checkpoint().uncopiedFrames },
                release: { try database.releaseCheckpoints() }),
            roles: nil, signals: nil, deliveries: nil, label: path, option: "--db \(path)")
    }

    /// The PostgreSQL database at `url`, its schema brought up to date first.
    static func postgres(url: String) async throws -> ServeStores {
        let database = try await StoreOptions.openPostgres(url)
        let blocks = PostgresBlocklistStore(database: database)
        return ServeStores(
            access: PostgresAccessStore(database: database), sessions: PostgresSessionStore(database: database),
            cases: PostgresCaseStore(database: database), blocks: blocks,
            subscribed: { try await blocks.allSubscriptionEntries() }, blocklistVersion: { try await blocks.version() },
            follows: PostgresFollowStore(database: database), reputation: PostgresReputationStore(database: database),
            checkpoints: nil, roles: PostgresNodeRoles(database: database),
            signals: PostgresNodeSignals(database: database), deliveries: PostgresDeliveryLedger(database: database),
            label: database.displayURL,
            option: "--database \(database.displayURL)")
    }
}

/// Rule reloads and blocklist changes reach every node, through PostgreSQL's LISTEN/NOTIFY.
struct PostgresNodeSignals: NodeSignals {
    let database: PostgreSQLDatabase

    func send(_ kind: String) async throws {
        try await database.signal(kind)
    }

    func listen(_ handler: @escaping @Sendable (String) async -> Void) async throws {
        try await database.listenForSignals(handler)
    }
}

/// Background jobs on one node at a time, through PostgreSQL advisory locks.
struct PostgresNodeRoles: NodeRoles {
    let database: PostgreSQLDatabase

    func whileHolding(_ role: String, _ body: @escaping @Sendable () async throws -> Void) async throws {
        try await database.whileHoldingRole(role, body)
    }
}
