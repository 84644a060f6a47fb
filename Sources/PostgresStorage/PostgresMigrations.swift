import Logging
import PostgresNIO

/// The PostgreSQL schema, as named migrations applied in order and recorded in `herdwatch_migration`. Never edit
/// one that shipped: append a new one.
enum PostgresMigrations {
    struct Migration: Sendable {
        var name: String
        var statements: [String]
    }

    static let all: [Migration] = [
        Migration(
            name: "2026-12-07-sessions",
            statements: [
                """
                CREATE TABLE web_session (
                    key TEXT PRIMARY KEY,
                    value BYTEA NOT NULL,
                    expires_at DOUBLE PRECISION
                )
                """,
                "CREATE INDEX web_session_expiry ON web_session (expires_at) WHERE expires_at IS NOT NULL",
            ]),
        Migration(
            name: "2026-12-07-access",
            statements: [
                """
                CREATE TABLE account (
                    id BIGSERIAL PRIMARY KEY,
                    username TEXT NOT NULL UNIQUE,
                    role TEXT NOT NULL,
                    password_hash TEXT NOT NULL,
                    created_at DOUBLE PRECISION NOT NULL,
                    disabled_at DOUBLE PRECISION,
                    blur_media BOOLEAN
                )
                """,
                """
                CREATE TABLE access_token (
                    id BIGSERIAL PRIMARY KEY,
                    name TEXT NOT NULL,
                    scopes TEXT NOT NULL,
                    digest TEXT NOT NULL UNIQUE,
                    created_at DOUBLE PRECISION NOT NULL,
                    revoked_at DOUBLE PRECISION,
                    account_id BIGINT REFERENCES account (id)
                )
                """,
            ]),
    ]
}

extension PostgreSQLDatabase {
    /// Applies the migrations this database lacks, in one transaction under an advisory lock, so that nodes
    /// starting together apply each exactly once. A database with migrations this version does not know is
    /// refused, not altered.
    public func migrate() async throws(PostgresStoreError) {
        let schema = schema
        do {
            try await client.withTransaction(logger: logger) { connection in
                // The lock key is fixed: every Herdwatch migrating any schema of this database waits its turn.
                try await connection.query("SELECT pg_advisory_xact_lock(7262610420221207)", logger: logger)
                try await connection.query(
                    PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \"\(schema)\""), logger: logger)
                try await connection.query(
                    PostgresQuery(
                        unsafeSQL: """
                            CREATE TABLE IF NOT EXISTS "\(schema)".herdwatch_migration (
                                name TEXT PRIMARY KEY,
                                applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                            )
                            """), logger: logger)
                var applied = Set<String>()
                for try await name in try await connection.query(
                    PostgresQuery(unsafeSQL: "SELECT name FROM \"\(schema)\".herdwatch_migration"), logger: logger
                ).decode(String.self) {
                    applied.insert(name)
                }
                let known = Set(PostgresMigrations.all.map(\.name))
                if let unknown = applied.subtracting(known).sorted().first {
                    throw PostgresStoreError(
                        code: .migration,
                        message:
                            "this database was written by a newer Herdwatch (it has migration \(unknown)); upgrade herdwatch or use another database")
                }
                for migration in PostgresMigrations.all where !applied.contains(migration.name) {
                    for statement in migration.statements {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    try await connection.query(
                        "INSERT INTO herdwatch_migration (name) VALUES (\(migration.name))", logger: logger)
                }
            }
        } catch let error as PostgresStoreError {
            throw error
        } catch {
            throw Self.storeError(error, doing: "migrate")
        }
    }

    /// Migrations applied to the database, oldest first.
    public func appliedMigrations() async throws(PostgresStoreError) -> [String] {
        do {
            var names: [String] = []
            for try await name in try await client.query(
                "SELECT name FROM herdwatch_migration ORDER BY applied_at, name", logger: logger
            ).decode(String.self) {
                names.append(name)
            }
            return names
        } catch {
            throw Self.storeError(error, doing: "read the migrations of")
        }
    }

    /// A store error for `error`, with the server's own message when it sent one (never the password).
    static func storeError(_ error: any Error, doing action: String) -> PostgresStoreError {
        if let error = error as? PostgresStoreError { return error }
        if let error = error as? PostgresTransactionError,
            let cause = error.closureError ?? error.beginError ?? error.commitError
        {
            return storeError(cause, doing: action)
        }
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                return PostgresStoreError(code: .failed, message: "cannot \(action) the database: \(message)")
            }
            switch error.code {
            case .connectionError, .uncleanShutdown, .serverClosedConnection, .clientClosedConnection:
                return PostgresStoreError(
                    code: .cannotConnect,
                    message: "cannot \(action) the database: cannot connect (is PostgreSQL running and reachable, and the URL right?)")
            default:
                return PostgresStoreError(code: .failed, message: "cannot \(action) the database: \(error.code)")
            }
        }
        return PostgresStoreError(code: .failed, message: "cannot \(action) the database: \(error)")
    }
}
