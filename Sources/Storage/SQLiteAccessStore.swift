public import Access
public import Foundation
import GRDB

/// `AccessStore` on the SQLite database.
public final class SQLiteAccessStore: AccessStore {
    public let database: SQLiteDatabase

    public init(database: SQLiteDatabase) {
        self.database = database
    }

    public func insertToken(
        name: String, scopes: Set<AccessScope>, digest: String, at date: Date, accountID: Int64?
    ) async throws -> AccessToken {
        try await write { db in
            if let accountID,
                try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM account WHERE id = ?)", arguments: [accountID])
                    != true
            {
                throw AccessError.unknownAccount(id: accountID)
            }
            try db.execute(
                sql: "INSERT INTO access_token (name, scopes, digest, created_at, account_id) VALUES (?, ?, ?, ?, ?)",
                arguments: [name, Self.encode(scopes), digest, date.timeIntervalSince1970, accountID])
            return AccessToken(
                id: db.lastInsertedRowID, name: name, scopes: scopes, createdAt: date, accountID: accountID)
        }
    }

    public func token(digest: String) async throws -> AccessToken? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM access_token WHERE digest = ?"), arguments: [digest]).map(
                Self.token)
        }
    }

    public func tokens() async throws -> [AccessToken] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM access_token ORDER BY id").map(Self.token) }
    }

    public func tokens(accountID: Int64) async throws -> [AccessToken] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM access_token WHERE account_id = ? ORDER BY id", arguments: [accountID]
            )
            .map(Self.token)
        }
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

    public func insertAccount(username: String, role: Account.Role, passwordHash: String, at date: Date) async throws
        -> Account
    {
        do {
            return try await database.pool.write { db in
                try db.execute(
                    sql: "INSERT INTO account (username, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
                    arguments: [username, role.rawValue, passwordHash, date.timeIntervalSince1970])
                return Account(
                    id: db.lastInsertedRowID, username: username, role: role, passwordHash: passwordHash,
                    createdAt: date)
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw AccountExistsError(username: username)
        } catch {
            throw SQLiteDatabase.storageError(error, path: database.path, doing: "write accounts to")
        }
    }

    public func account(username: String) async throws -> Account? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM account WHERE username = ?", arguments: [username]).map(
                Self.account)
        }
    }

    public func account(id: Int64) async throws -> Account? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM account WHERE id = ?"), arguments: [id]).map(Self.account)
        }
    }

    public func accounts() async throws -> [Account] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM account ORDER BY id").map(Self.account) }
    }

    public func setRole(accountID: Int64, to role: Account.Role) async throws -> Bool {
        try await update("UPDATE account SET role = ? WHERE id = ?", [role.rawValue, accountID])
    }

    public func setPasswordHash(accountID: Int64, to passwordHash: String) async throws -> Bool {
        try await update("UPDATE account SET password_hash = ? WHERE id = ?", [passwordHash, accountID])
    }

    public func disableAccount(id: Int64, at date: Date) async throws -> Bool {
        try await update(
            "UPDATE account SET disabled_at = COALESCE(disabled_at, ?) WHERE id = ?", [date.timeIntervalSince1970, id])
    }

    public func setBlurMedia(accountID: Int64, to blurMedia: Bool?) async throws -> Bool {
        try await update("UPDATE account SET blur_media = ? WHERE id = ?", [blurMedia, accountID])
    }

    public func enableAccount(id: Int64) async throws -> Bool {
        try await update("UPDATE account SET disabled_at = NULL WHERE id = ?", [id])
    }

    private func update(_ sql: String, _ arguments: StatementArguments) async throws -> Bool {
        try await write { db in
            try db.execute(sql: sql, arguments: arguments)
            return db.changesCount > 0
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
            createdAt: Date(timeIntervalSince1970: row["created_at"]),
            revokedAt: revokedAt.map(Date.init(timeIntervalSince1970:)),
            accountID: row["account_id"])
    }

    /// A stored role this version does not know (written by a newer one) reads as the least privileged.
    private static func account(_ row: Row) -> Account {
        let disabledAt: Double? = row["disabled_at"]
        return Account(
            id: row["id"], username: row["username"], role: Account.Role(rawValue: row["role"]) ?? .contractor,
            passwordHash: row["password_hash"], createdAt: Date(timeIntervalSince1970: row["created_at"]),
            disabledAt: disabledAt.map(Date.init(timeIntervalSince1970:)), blurMedia: row["blur_media"])
    }

    private func read<T: Sendable>(_ body: @escaping @Sendable (GRDB.Database) throws -> T) async throws -> T {
        do {
            return try await database.pool.read(body)
        } catch {
            throw SQLiteDatabase.storageError(error, path: database.path, doing: "read accounts and tokens from")
        }
    }

    private func write<T: Sendable>(_ body: @escaping @Sendable (GRDB.Database) throws -> T) async throws -> T {
        do {
            return try await database.pool.write(body)
        } catch let error as AccessError {
            throw error
        } catch {
            throw SQLiteDatabase.storageError(error, path: database.path, doing: "write accounts and tokens to")
        }
    }
}
