public import Access
public import Foundation
import PostgresNIO

/// `AccessStore` on PostgreSQL (tables `account` and `access_token`): every node signs in the same people.
public struct PostgresAccessStore: AccessStore {
    let database: PostgreSQLDatabase

    public init(database: PostgreSQLDatabase) {
        self.database = database
    }

    private static let tokenColumns = "id, name, scopes, created_at, revoked_at, account_id"
    private static let accountColumns = "id, username, role, password_hash, created_at, disabled_at, blur_media"

    public func insertToken(
        name: String, scopes: Set<AccessScope>, digest: String, at date: Date, accountID: Int64?
    ) async throws -> AccessToken {
        let encoded = Self.encode(scopes)
        let created = date.timeIntervalSince1970
        do {
            let rows = try await database.client.query(
                """
                INSERT INTO access_token (name, scopes, digest, created_at, account_id)
                VALUES (\(name), \(encoded), \(digest), \(created), \(accountID)) RETURNING id
                """, logger: database.logger)
            for try await id in rows.decode(Int64.self) {
                return AccessToken(id: id, name: name, scopes: scopes, createdAt: date, accountID: accountID)
            }
            throw PostgresStoreError(code: .failed, message: "cannot write a token to the database: no id came back")
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23503" {
            // foreign_key_violation: the account does not exist.
            throw AccessError.unknownAccount(id: accountID ?? 0)
        } catch {
            throw PostgreSQLDatabase.storeError(error, doing: "write accounts and tokens to")
        }
    }

    public func token(digest: String) async throws -> AccessToken? {
        try await tokens(where: "WHERE digest = \(digest)").first
    }

    public func tokens() async throws -> [AccessToken] {
        try await tokens(where: "")
    }

    public func tokens(accountID: Int64) async throws -> [AccessToken] {
        try await tokens(where: "WHERE account_id = \(accountID)")
    }

    public func revokeToken(id: Int64, at date: Date) async throws -> Bool {
        try await update("UPDATE access_token SET revoked_at = COALESCE(revoked_at, \(date.timeIntervalSince1970)) WHERE id = \(id)")
    }

    public func accountCount() async throws -> Int {
        try await read("read accounts from") {
            for try await count in try await database.client.query("SELECT COUNT(*) FROM account", logger: database.logger)
                .decode(Int.self)
            {
                return count
            }
            return 0
        }
    }

    public func insertAccount(username: String, role: Account.Role, passwordHash: String, at date: Date) async throws
        -> Account
    {
        do {
            let rows = try await database.client.query(
                """
                INSERT INTO account (username, role, password_hash, created_at)
                VALUES (\(username), \(role.rawValue), \(passwordHash), \(date.timeIntervalSince1970)) RETURNING id
                """, logger: database.logger)
            for try await id in rows.decode(Int64.self) {
                return Account(id: id, username: username, role: role, passwordHash: passwordHash, createdAt: date)
            }
            throw PostgresStoreError(code: .failed, message: "cannot write an account to the database: no id came back")
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            // unique_violation on the username.
            throw AccountExistsError(username: username)
        } catch {
            throw PostgreSQLDatabase.storeError(error, doing: "write accounts and tokens to")
        }
    }

    public func account(username: String) async throws -> Account? {
        try await accounts(where: "WHERE username = \(username)").first
    }

    public func account(id: Int64) async throws -> Account? {
        try await accounts(where: "WHERE id = \(id)").first
    }

    public func accounts() async throws -> [Account] {
        try await accounts(where: "")
    }

    public func setRole(accountID: Int64, to role: Account.Role) async throws -> Bool {
        try await update("UPDATE account SET role = \(role.rawValue) WHERE id = \(accountID)")
    }

    public func setPasswordHash(accountID: Int64, to passwordHash: String) async throws -> Bool {
        try await update("UPDATE account SET password_hash = \(passwordHash) WHERE id = \(accountID)")
    }

    public func disableAccount(id: Int64, at date: Date) async throws -> Bool {
        try await update("UPDATE account SET disabled_at = COALESCE(disabled_at, \(date.timeIntervalSince1970)) WHERE id = \(id)")
    }

    public func enableAccount(id: Int64) async throws -> Bool {
        try await update("UPDATE account SET disabled_at = NULL WHERE id = \(id)")
    }

    public func setBlurMedia(accountID: Int64, to blurMedia: Bool?) async throws -> Bool {
        try await update("UPDATE account SET blur_media = \(blurMedia) WHERE id = \(accountID)")
    }

    // MARK: - Queries

    private func tokens(where condition: PostgresQuery) async throws -> [AccessToken] {
        var query = PostgresQuery(unsafeSQL: "SELECT \(Self.tokenColumns) FROM access_token ")
        query = Self.appending(condition, to: query, then: " ORDER BY id")
        return try await read("read accounts and tokens from") {
            var tokens: [AccessToken] = []
            let rows = try await database.client.query(query, logger: database.logger)
            for try await (id, name, scopes, created, revoked, account) in rows.decode(
                (Int64, String, String, Double, Double?, Int64?).self)
            {
                tokens.append(
                    AccessToken(
                        id: id, name: name,
                        scopes: Set(scopes.split(separator: " ").compactMap { AccessScope(rawValue: String($0)) }),
                        createdAt: Date(timeIntervalSince1970: created), revokedAt: revoked.map(Date.init(timeIntervalSince1970:)),
                        accountID: account))
            }
            return tokens
        }
    }

    /// A stored role this version does not know (written by a newer one) reads as the least privileged.
    private func accounts(where condition: PostgresQuery) async throws -> [Account] {
        var query = PostgresQuery(unsafeSQL: "SELECT \(Self.accountColumns) FROM account ")
        query = Self.appending(condition, to: query, then: " ORDER BY id")
        return try await read("read accounts and tokens from") {
            var accounts: [Account] = []
            let rows = try await database.client.query(query, logger: database.logger)
            for try await (id, username, role, hash, created, disabled, blur) in rows.decode(
                (Int64, String, String, String, Double, Double?, Bool?).self)
            {
                accounts.append(
                    Account(
                        id: id, username: username, role: Account.Role(rawValue: role) ?? .contractor, passwordHash: hash,
                        createdAt: Date(timeIntervalSince1970: created), disabledAt: disabled.map(Date.init(timeIntervalSince1970:)),
                        blurMedia: blur))
            }
            return accounts
        }
    }

    /// `base` + `condition` (with its binds renumbered after base's) + `suffix`.
    private static func appending(_ condition: PostgresQuery, to base: PostgresQuery, then suffix: String) -> PostgresQuery {
        precondition(base.binds.count == 0, "the base query carries no binds")
        var query = condition
        query.sql = base.sql + condition.sql + suffix
        return query
    }

    private func update(_ query: PostgresQuery) async throws -> Bool {
        var returning = query
        returning.sql += " RETURNING 1"
        return try await read("write accounts and tokens to") {
            var changed = false
            for try await _ in try await database.client.query(returning, logger: database.logger) { changed = true }
            return changed
        }
    }

    private func read<T>(_ action: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as AccessError {
            throw error
        } catch {
            throw PostgreSQLDatabase.storeError(error, doing: action)
        }
    }

    private static func encode(_ scopes: Set<AccessScope>) -> String {
        scopes.map(\.rawValue).sorted().joined(separator: " ")
    }
}
