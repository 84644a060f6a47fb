import Foundation
import HerdwatchTestSupport
import Testing

/// The PostgreSQL server the tests use (Scripts/with-postgres names it).
private let testPostgresURL = ProcessInfo.processInfo.environment["HERDWATCH_TEST_POSTGRES_URL"].flatMap {
    $0.isEmpty ? nil : $0
}

/// The account commands work on a PostgreSQL database with `--database` (or `HERDWATCH_DATABASE_URL`), so the
/// admin of several nodes adds people once, where every node reads them.
@Suite(
    "herdwatch user and token on PostgreSQL",
    .enabled(if: testPostgresURL != nil, "needs HERDWATCH_TEST_POSTGRES_URL (Scripts/with-postgres)"))
struct PostgresCLITests {
    /// The test server's URL with a schema of this test's own.
    let database: String = {
        let base = testPostgresURL ?? ""
        let schema = "cli_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        return base + (base.contains("?") ? "&" : "?") + "schema=\(schema)"
    }()

    @Test func usersAndTokensAreKeptInTheSharedDatabase() throws {
        let added = try CLI.run(["user", "add", "alice", "--role", "moderator", "--database", database])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout.hasPrefix("user alice (moderator) added to postgres://"))
        let token = try CLI.run(["token", "create", "--scope", "check", "--user", "alice", "--database", database])
        #expect(token.status == 0, "\(token.stderr)")
        #expect(token.stdout.split(separator: "\n").last?.hasPrefix("hw_") == true)

        let listed = try CLI.run(["user", "list", "--database", database])
        #expect(listed.stdout.split(separator: "\n").map { $0.split(separator: "\t").dropFirst().first } == ["alice"])
        let tokens = try CLI.run(["token", "list", "--database", database])
        #expect(tokens.stdout.contains("\tcheck\t") && tokens.stdout.contains("\tuser alice"))

        // A SQLite file is a different store: nobody there.
        let file = temporaryDatabasePath()
        defer { removeDatabase(at: file) }
        #expect(try CLI.run(["user", "list", "--db", file]).stdout.hasPrefix("no users"))
    }

    @Test func badURLsAndBothStoresAtOnceAreRefusedWithAReason() throws {
        let both = try CLI.run(["user", "list", "--db", "x.sqlite", "--database", database])
        #expect(both.status == 64)
        #expect(both.stderr.contains("give --db FILE (SQLite) or --database URL (PostgreSQL), not both"))
        let wrong = try CLI.run(["user", "list", "--database", "mysql://u@127.0.0.1/db"])
        #expect(wrong.status == 2)
        #expect(wrong.stderr.contains("not a postgres:// URL"))
    }
}
