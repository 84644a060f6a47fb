public import Access
public import Foundation
import NIOCore
import PostgresNIO

/// `SessionStore` on PostgreSQL (table `web_session`): a moderator signed in on one node is signed in on all.
public struct PostgresSessionStore: SessionStore {
    let database: PostgreSQLDatabase

    public init(database: PostgreSQLDatabase) {
        self.database = database
    }

    public func putSession(key: String, value: [UInt8], expiresAt: Date?, now: Date) async throws {
        let expiry = expiresAt?.timeIntervalSince1970
        try await run("save a session to") {
            try await database.client.query(
                """
                INSERT INTO web_session (key, value, expires_at) VALUES (\(key), \(ByteBuffer(bytes: value)), \(expiry))
                ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value,
                    expires_at = COALESCE(EXCLUDED.expires_at, web_session.expires_at)
                """, logger: database.logger)
        }
    }

    public func insertSession(key: String, value: [UInt8], expiresAt: Date?, now: Date) async throws -> Bool {
        let expiry = expiresAt?.timeIntervalSince1970
        let moment = now.timeIntervalSince1970
        return try await run("save a session to") {
            // A key still live at `now` is kept; an expired one is taken over.
            let rows = try await database.client.query(
                """
                INSERT INTO web_session (key, value, expires_at) VALUES (\(key), \(ByteBuffer(bytes: value)), \(expiry))
                ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at
                    WHERE web_session.expires_at IS NOT NULL AND web_session.expires_at <= \(moment)
                RETURNING key
                """, logger: database.logger)
            var inserted = false
            for try await _ in rows { inserted = true }
            return inserted
        }
    }

    public func session(key: String, now: Date) async throws -> (value: [UInt8], expiresAt: Date?)? {
        let moment = now.timeIntervalSince1970
        return try await run("read a session from") {
            let rows = try await database.client.query(
                """
                SELECT value, expires_at FROM web_session
                WHERE key = \(key) AND (expires_at IS NULL OR expires_at > \(moment))
                """, logger: database.logger)
            for try await (value, expiry) in rows.decode((ByteBuffer, Double?).self) {
                return (Array(value.readableBytesView), expiry.map(Date.init(timeIntervalSince1970:)))
            }
            return nil
        }
    }

    public func removeSession(key: String) async throws {
        try await run("remove a session from") {
            try await database.client.query("DELETE FROM web_session WHERE key = \(key)", logger: database.logger)
        }
    }

    @discardableResult
    public func removeExpiredSessions(now: Date) async throws -> Int {
        let moment = now.timeIntervalSince1970
        return try await run("remove expired sessions from") {
            let rows = try await database.client.query(
                "DELETE FROM web_session WHERE expires_at IS NOT NULL AND expires_at <= \(moment) RETURNING key",
                logger: database.logger)
            var count = 0
            for try await _ in rows { count += 1 }
            return count
        }
    }

    @discardableResult
    private func run<T>(_ action: String, _ body: () async throws -> T) async throws(PostgresStoreError) -> T {
        do {
            return try await body()
        } catch {
            throw PostgreSQLDatabase.storeError(error, doing: action)
        }
    }
}
