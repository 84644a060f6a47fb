import Foundation
import PostgresNIO
public import Reputation

/// `FollowStore` on PostgreSQL (table `follow_edge`): every node learns into, and loads, the same graph.
///
/// `FollowStore` is synchronous: each call blocks its thread until PostgreSQL answers (see
/// ``PostgreSQLDatabase/blocking(_:)``), so call it only where blocking is allowed, as `LocalFollows` does.
public struct PostgresFollowStore: FollowStore {
    let database: PostgreSQLDatabase

    public init(database: PostgreSQLDatabase) {
        self.database = database
    }

    public func edges(limit: Int) throws -> [FollowRecord] {
        let limit = max(0, limit)
        return try run("read the follow graph from") { database in
            var records: [FollowRecord] = []
            let rows = try await database.client.query(
                """
                SELECT local, remote, remote_host, direction, since FROM follow_edge
                ORDER BY since DESC, local DESC, remote DESC LIMIT \(limit)
                """, logger: database.logger)
            for try await (local, remote, remoteHost, direction, since) in rows.decode(
                (String, String, String, String, Double).self)
            {
                guard let direction = FollowEdge.Direction(rawValue: direction) else { continue }
                records.append(
                    FollowRecord(
                        edge: FollowEdge(local: local, remote: remote, remoteHost: remoteHost, direction: direction),
                        since: Date(timeIntervalSince1970: since)))
            }
            return records
        }
    }

    public func edgeCount() throws -> Int {
        try run("count the follow graph in") { database in
            for try await count in try await database.client.query(
                "SELECT count(*) FROM follow_edge", logger: database.logger
            ).decode(Int.self) {
                return count
            }
            return 0
        }
    }

    public func apply(_ changes: [FollowChange]) throws {
        guard !changes.isEmpty else { return }
        try run("write the follow graph to") { database in
            try await database.client.withTransaction(logger: database.logger) { connection in
                for change in changes {
                    switch change {
                    case .add(let record):
                        let edge = record.edge
                        try await connection.query(
                            """
                            INSERT INTO follow_edge (local, remote, direction, remote_host, since)
                            VALUES (\(edge.local), \(edge.remote), \(edge.direction.rawValue), \(edge.remoteHost),
                                \(record.since.timeIntervalSince1970))
                            ON CONFLICT (local, remote, direction) DO NOTHING
                            """, logger: database.logger)
                    case .remove(let edge):
                        try await connection.query(
                            """
                            DELETE FROM follow_edge WHERE local = \(edge.local) AND remote = \(edge.remote)
                                AND direction = \(edge.direction.rawValue)
                            """, logger: database.logger)
                    }
                }
            }
        }
    }

    private func run<T: Sendable>(
        _ action: String, _ body: @escaping @Sendable (PostgreSQLDatabase) async throws -> T
    ) throws -> T {
        let database = database
        do {
            return try database.blocking { try await body(database) }
        } catch {
            throw PostgreSQLDatabase.storeError(error, doing: action)
        }
    }
}
