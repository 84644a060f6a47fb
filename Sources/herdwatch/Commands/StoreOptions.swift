import Access
import Blocklists
import ArgumentParser
import Foundation
import PostgresStorage
import Reputation
import Storage

/// Where the shared data is, for the commands that work on either store: a PostgreSQL database
/// (`--database URL`, else `HERDWATCH_DATABASE_URL`) or the SQLite file (`--db`, else `HERDWATCH_DB`, else the
/// default path). `--db` on the command line wins over `HERDWATCH_DATABASE_URL`.
struct StoreOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "SQLite database file (default: $HERDWATCH_DB or ~/.local/share/herdwatch/herdwatch.sqlite).", valueName: "path"))
    var db: String?

    @Option(
        name: .customLong("database"),
        help: ArgumentHelp(
            "PostgreSQL database shared by several nodes, postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=require] (default: $HERDWATCH_DATABASE_URL).",
            valueName: "url"))
    var url: String?

    func validate() throws {
        if db != nil, url != nil {
            throw ValidationError("give --db FILE (SQLite) or --database URL (PostgreSQL), not both")
        }
    }

    /// The PostgreSQL URL to use, if any.
    var postgresURL: String? {
        if db != nil { return nil }
        if let url { return url }
        return ProcessInfo.processInfo.environment["HERDWATCH_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    var path: String { db ?? SQLiteDatabase.defaultPath }

    /// How messages name the store (a PostgreSQL URL without its password).
    var label: String { postgresURL.map(Self.withoutPassword) ?? path }

    /// The command-line option that names this store, for the commands a message suggests.
    var option: String { postgresURL.map { "--database \(Self.withoutPassword($0))" } ?? "--db \(path)" }

    /// `url` with any password replaced by `***`.
    static func withoutPassword(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? url
    }

    /// Opens the PostgreSQL database at `url` and brings its schema up to date.
    static func openPostgres(_ url: String) async throws -> PostgreSQLDatabase {
        do {
            let database = try PostgreSQLDatabase(url: url)
            try await database.migrate()
            return database
        } catch {
            throw fail(error.description)
        }
    }

    /// The blocklist store (applied list, review, subscriptions, feed) this names.
    func blocklistStore() async throws -> any BlocklistImportStore & BlocklistReviewStore & BlocklistFeedStore {
        if let postgresURL { return PostgresBlocklistStore(database: try await Self.openPostgres(postgresURL)) }
        return SQLiteBlocklistStore(database: try open(path))
    }

    /// The follow graph's store this names. Its calls block their thread: make them in ``onOwnThread(_:)``.
    func followStore() async throws -> any FollowStore {
        if let postgresURL { return PostgresFollowStore(database: try await Self.openPostgres(postgresURL)) }
        return SQLiteFollowStore(database: try open(path))
    }

    /// Runs `work` on a thread of its own, where a synchronous store may wait for its database (never on the
    /// Swift concurrency pool, whose few threads the wait could need).
    static func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    /// The access store (users, tokens) this names.
    func accessStore() async throws -> any AccessStore {
        if let postgresURL { return PostgresAccessStore(database: try await Self.openPostgres(postgresURL)) }
        return SQLiteAccessStore(database: try open(path))
    }
}
