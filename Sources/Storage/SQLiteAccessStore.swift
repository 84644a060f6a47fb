public import Access
public import Foundation
import GRDB

/// `AccessStore` on the SQLite database.
public final class SQLiteAccessStore: AccessStore {
    public let database: SQLiteDatabase

    public init(database: SQLiteDatabase) {
        self.database = database
    }

    public func insertToken(name: String, scopes: Set<AccessScope>, digest: String, at date: Date) async throws -> AccessToken {
        try await write { db in
            try db.execute(
                sql: "INSERT INTO access_token (name, scopes, digest, created_at) VALUES (?, ?, ?, ?)",
                arguments: [name, Self.encode(scopes), digest, date.timeIntervalSince1970])
            return AccessToken(id: db.lastInsertedRowID, name: name, scopes: scopes, createdAt: date)
        }
    }

    public func token(digest: String) async throws -> AccessToken? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM access_token WHERE digest = ?", arguments: [digest]).map(Self.token)
        }
    }

    public func tokens() async throws -> [AccessToken] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM access_token ORDER BY id").map(Self.token) }
    }

    public func revokeToken(id: Int64, at date: Date) async throws -> Bool {
        try await write { db in
            try db.execute(
                sql: "UPDATE access_token SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?",
                arguments: [date.timeIntervalSince1970, id])
            return db.changesCount > 0
        }
    }

    public func accountCount() async throws -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM account") ?? 0 }
    }

    public func insertAccount(username: String, role: Account.Role, passwordHash: String, at date: Date) async throws -> Account {
        do {
            return try await database.pool.write { db in
                try db.execute(
                    sql: "INSERT INTO account (username, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
                    arguments: [username, role.rawValue, passwordHash, date.timeIntervalSince1970])
                return Account(id: db.lastInsertedRowID, username: username, role: role, passwordHash: passwordHash, createdAt: date)
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw AccountExistsError(username: username)
        } catch {
            throw SQLiteDatabase.storageError(error, path: database.path, doing: "write accounts to")
        }
    }

    public func account(username: String) async throws -> Account? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM account WHERE username = ?", arguments: [username]).map { row in
                Account(
                    id: row["id"], username: row["username"], role: Account.Role(rawValue: row["role"]) ?? .moderator,
                    passwordHash: row["password_hash"], createdAt: Date(timeIntervalSince1970: row["created_at"]))
            }
        }
    }

    private static func encode(_ scopes: Set<AccessScope>) -> String {
        scopes.map(\.rawValue).sorted().joined(separator: " ")
    }

    private static func token(_ row: Row) -> AccessToken {
        let scopes: String = row["scopes"]
        let revokedAt: Double? = row["revoked_at"]
        return AccessToken(
            id: row["id"], name: row["name"],
            scopes: Set(scopes.split(separator: " ").compactMap { AccessScope(rawValue: String($0)) }),
            createdAt: Date(timeIntervalSince1970: row["created_at"]), revokedAt: revokedAt.map(Date.init(timeIntervalSince1970:)))
    }

    private func read<T: Sendable>(_ body: @escaping @Sendable (GRDB.Database) throws -> T) async throws -> T {
        do {
            return try await database.pool.read(body)
        } catch {
            throw SQLiteDatabase.storageError(error, path: database.path, doing: "read tokens from")
        }
    }

    private func write<T: Sendable>(_ body: @escaping @Sendable (GRDB.Database) throws -> T) async throws -> T {
        do {
            return try await database.pool.write(body)
        } catch {
            throw SQLiteDatabase.storageError(error, path: database.path, doing: "write tokens to")
        }
    }
}
