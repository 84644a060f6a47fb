import Access
import Foundation
import Logging
import HerdwatchTestSupport
import PostgresNIO
import PostgresStorage
import Synchronization
import Testing

/// The PostgreSQL server the tests use: `make test` starts a throwaway one (Scripts/with-postgres) and names it in
/// `HERDWATCH_TEST_POSTGRES_URL`. Without it these suites are skipped, and say so.
enum TestPostgres {
    static let url = ProcessInfo.processInfo.environment["HERDWATCH_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static var available: Bool { url != nil }

    /// Runs `body` on a fresh, migrated schema of its own, dropped afterwards.
    static func withDatabase<T>(_ body: (PostgreSQLDatabase) async throws -> T) async throws -> T {
        let url = try #require(url, "HERDWATCH_TEST_POSTGRES_URL is not set; run the tests with Scripts/with-postgres")
        let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
        let database = try PostgreSQLDatabase(url: url, schema: String(schema))
        do {
            try await database.migrate()
            let result = try await body(database)
            try await database.client.query("DROP SCHEMA \(unescaped: "\"\(schema)\"") CASCADE")
            await database.close()
            return result
        } catch {
            _ = try? await database.client.query("DROP SCHEMA \(unescaped: "\"\(schema)\"") CASCADE")
            await database.close()
            throw error
        }
    }
}

@Suite("PostgreSQL stores", .enabled(if: TestPostgres.available, "needs HERDWATCH_TEST_POSTGRES_URL (Scripts/with-postgres)"))
struct PostgresStoreConformanceTests {
    @Test(arguments: SessionStoreConformance.checks)
    func sessionStoreConforms(check: ConformanceCheck<any SessionStore>) async throws {
        try await TestPostgres.withDatabase { database in
            try await check.run(on: PostgresSessionStore(database: database))
        }
    }

    @Test(arguments: AccessStoreConformance.checks + AccessStoreConformance.principalChecks)
    func accessStoreConforms(check: ConformanceCheck<any AccessStore>) async throws {
        try await TestPostgres.withDatabase { database in
            try await check.run(on: PostgresAccessStore(database: database))
        }
    }

    @Test func migratingTwiceAppliesEachMigrationOnceAndNodesMigratingTogetherAgree() async throws {
        try await TestPostgres.withDatabase { database in
            let first = try await database.appliedMigrations()
            #expect(!first.isEmpty)
            // Two more "nodes" start at once on the same schema: the advisory lock lets one apply, the other sees it done.
            let url = try #require(TestPostgres.url)
            let others = try (0..<2).map { _ in try PostgreSQLDatabase(url: url, schema: database.schema) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for other in others { group.addTask { try await other.migrate() } }
                try await group.waitForAll()
            }
            for other in others { await other.close() }
            #expect(try await database.appliedMigrations() == first)
        }
    }

    /// Each schema has its own migration lock: a node migrating one deployment never waits for another's (the
    /// test suites, which migrate many schemas at once, hung on a single shared lock).
    @Test func migratingOneSchemaNeverWaitsForAnothersMigration() async throws {
        try await TestPostgres.withDatabase { database in
            let url = try #require(TestPostgres.url)
            let otherSchema = database.schema + "_b"
            let other = try PostgreSQLDatabase(url: url, schema: otherSchema)
            let migrated = try await database.client.withTransaction(logger: Logger(label: "test")) { connection in
                // This schema's migration lock, held as a migration in progress would hold it.
                try await connection.query(
                    "SELECT pg_advisory_xact_lock(hashtext('herdwatch migrations'), hashtext(\(database.schema)))",
                    logger: Logger(label: "test"))
                // Another node of the same schema waits for it…
                let sameSchema = try PostgreSQLDatabase(url: url, schema: database.schema)
                let done = MigrationDone()
                let waiting = Task {
                    try await sameSchema.migrate()
                    done.value.withLock { $0 = true }
                }
                try await Task.sleep(for: .seconds(1))
                #expect(!done.value.withLock { $0 }, "a second node migrated the schema while the lock was held")
                // …while a node of another schema goes ahead.
                let other = try await withThrowingTaskGroup(of: Bool.self) { group in
                    group.addTask { try await other.migrate(); return true }
                    group.addTask { try await Task.sleep(for: .seconds(15)); return false }
                    defer { group.cancelAll() }
                    return try await group.next() ?? false
                }
                return (other, waiting, sameSchema)
            }
            let (otherMigrated, waiting, sameSchema) = migrated
            #expect(otherMigrated, "migrating \(otherSchema) waited for \(database.schema)'s migration lock")
            // Once the lock is released, the waiting node's migration finishes.
            try await waiting.value
            await sameSchema.close()
            try await other.client.query("DROP SCHEMA \(unescaped: "\"\(otherSchema)\"") CASCADE")
            await other.close()
        }
    }

    @Test func aDatabaseFromANewerHerdwatchIsRefused() async throws {
        try await TestPostgres.withDatabase { database in
            try await database.client.query("INSERT INTO herdwatch_migration (name) VALUES ('2099-01-01-future')")
            let error = await #expect(throws: PostgresStoreError.self) { try await database.migrate() }
            #expect(error?.code == .migration)
            #expect(error?.message.contains("newer Herdwatch") == true)
        }
    }
}

/// Whether a migration has finished (for the lock test).
final class MigrationDone: Sendable {
    let value = Mutex(false)
}

@Suite("PostgreSQL URLs")
struct PostgresURLTests {
    @Test func badURLsSayWhatIsWrong() {
        for (url, fragment) in [
            ("mysql://u@h/db", "not a postgres:// URL"), ("postgres://h/db", "no user"),
            ("postgres://u@h", "no database name"), ("postgres://u@h/db?sslmode=verify-full", "sslmode=verify-full"),
            ("postgres://u@h/db?schema=Bad-Name", "schema Bad-Name"), ("postgres://u@h/db?x=1", "unknown option x"),
        ] {
            #expect {
                _ = try PostgreSQLDatabase(url: url)
            } throws: { error in
                (error as? PostgresStoreError)?.code == .invalidURL && "\(error)".contains(fragment)
            }
        }
    }

    @Test func thePasswordNeverAppearsInTheDisplayedURL() throws {
        let database = try PostgreSQLDatabase(url: "postgres://herdwatch:s3cret@127.0.0.1:5999/hw?schema=nodes")
        #expect(!database.displayURL.contains("s3cret"))
        #expect(database.displayURL.contains("127.0.0.1:5999/hw"))
        #expect(database.schema == "nodes")
    }
}
