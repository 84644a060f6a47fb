import Foundation
import GRDB
public import Reputation

/// `FollowStore` on the SQLite database (table `follow_edge`).
public final class SQLiteFollowStore: FollowStore {
    public let database: SQLiteDatabase

    public init(database: SQLiteDatabase) {
        self.database = database
    }

    public func edges(limit: Int) throws -> [FollowRecord] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT local, remote, remote_host, direction, since FROM follow_edge
                    ORDER BY since DESC, local DESC, remote DESC LIMIT ?
                    """,
                arguments: [max(0, limit)]
            ).compactMap { row in
                guard let direction = FollowEdge.Direction(rawValue: row["direction"]) else { return nil }
                return FollowRecord(
                    edge: FollowEdge(
                        local: row["local"], remote: row["remote"], remoteHost: row["remote_host"], direction: direction
                    ),
                    since: Date(timeIntervalSince1970: row["since"]))
            }
        }
    }

    public func edgeCount() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM follow_edge") ?? 0 }
    }

    public func apply(_ changes: [FollowChange]) throws {
        guard !changes.isEmpty else { return }
        do {
            try database.pool.write { db in
                let insert = try db.cachedStatement(
                    sql: """
                        INSERT INTO follow_edge (local, remote, direction, remote_host, since) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (local, remote, direction) DO NOTHING
                        """)
                let delete = try db.cachedStatement(
                    sql: "DELETE FROM follow_edge WHERE local = ? AND remote = ? AND direction = ?")
                for change in changes {
                    switch change {
                    case .add(let record):
                        let edge = record.edge
                        try insert.execute(arguments: [
                            edge.local, edge.remote, edge.direction.rawValue, edge.remoteHost,
                            record.since.timeIntervalSince1970,
                        ])
                    case .remove(let edge):
                        try delete.execute(arguments: [edge.local, edge.remote, edge.direction.rawValue])
                    }
                }
            }
        } catch {
            throw SQLiteDatabase.storageError(error, path: database.path, doing: "write")
        }
    }

    private func read<T>(_ body: (GRDB.Database) throws -> T) throws -> T {
        do {
            return try database.blockingRead(body)
        } catch {
            throw SQLiteDatabase.storageError(error, path: database.path, doing: "read")
        }
    }
}
