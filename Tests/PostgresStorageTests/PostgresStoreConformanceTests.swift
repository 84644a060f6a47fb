import Access
import Foundation
import HerdwatchTestSupport
import PostgresNIO
import PostgresStorage
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

    @Test func aDatabaseFromANewerHerdwatchIsRefused() async throws {
        try await TestPostgres.withDatabase { database in
            try await database.client.query("INSERT INTO herdwatch_migration (name) VALUES ('2099-01-01-future')")
            let error = await #expect(throws: PostgresStoreError.self) { try await database.migrate() }
            #expect(error?.code == .migration)
            #expect(error?.message.contains("newer Herdwatch") == true)
        }
    }
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
