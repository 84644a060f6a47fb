public import Access
public import Foundation
import GRDB

/// `SessionStore` on the SQLite database (table `web_session`).
public final class SQLiteSessionStore: SessionStore {
    public let database: SQLiteDatabase

    public init(database: SQLiteDatabase) {
        self.database = database
    }

    public func putSession(key: String, value: [UInt8], expiresAt: Date?, now: Date) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO web_session (key, value, expires_at) VALUES (?, ?, ?)
                    ON CONFLICT (key) DO UPDATE SET value = excluded.value,
                        expires_at = COALESCE(excluded.expires_at, web_session.expires_at)
                    """,
                arguments: [key, Data(value), expiresAt?.timeIntervalSince1970])
        }
    }

    public func insertSession(key: String, value: [UInt8], expiresAt: Date?, now: Date) async throws -> Bool {
        try await write { db in
            try db.execute(
                sql: "DELETE FROM web_session WHERE key = ? AND expires_at <= ?", arguments: [key, now.timeIntervalSince1970])
            try db.execute(
                sql: "INSERT OR IGNORE INTO web_session (key, value, expires_at) VALUES (?, ?, ?)",
                arguments: [key, Data(value), expiresAt?.timeIntervalSince1970])
            return db.changesCount > 0
        }
    }

    public func session(key: String, now: Date) async throws -> (value: [UInt8], expiresAt: Date?)? {
        try await read { db -> (value: [UInt8], expiresAt: Date?)? in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT value, expires_at FROM web_session WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)",
                    arguments: [key, now.timeIntervalSince1970])
            else { return nil }
            let value: Data = row["value"]
            let expiresAt: Double? = row["expires_at"]
            return ([UInt8](value), expiresAt.map(Date.init(timeIntervalSince1970:)))
        }
    }

    public func removeSession(key: String) async throws {
        try await write { db in try db.execute(sql: "DELETE FROM web_session WHERE key = ?", arguments: [key]) }
    }

    public func removeExpiredSessions(now: Date) async throws -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM web_session WHERE expires_at <= ?", arguments: [now.timeIntervalSince1970])
            return db.changesCount
        }
    }

    private func read<T: Sendable>(_ body: @escaping @Sendable (GRDB.Database) throws -> T) async throws -> T {
        do {
            return try await database.pool.read(body)
        } catch {
            throw SQLiteDatabase.storageError(error, path: database.path, doing: "read sessions from")
        }
    }

    private func write<T: Sendable>(_ body: @escaping @Sendable (GRDB.Database) throws -> T) async throws -> T {
        do {
            return try await database.pool.write(body)
        } catch {
            throw SQLiteDatabase.storageError(error, path: database.path, doing: "write sessions to")
        }
    }
}
