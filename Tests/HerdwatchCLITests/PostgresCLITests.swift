import Blocklists
import Foundation
import HerdwatchTestSupport
import PostgresNIO
import PostgresStorage
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

    @Test func blocklistCommandsWorkOnTheSharedDatabase() async throws {
        let imported = try CLI.run(["blocklist", "import", "--database", database, "Fixtures/blocklists/mastodon.csv"])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("4 added, 0 changed, 0 unchanged"), "\(imported.stdout)")
        let again = try CLI.run(["blocklist", "import", "--database", database, "Fixtures/blocklists/mastodon.csv"])
        #expect(again.stdout.contains("0 added, 0 changed, 4 unchanged"), "\(again.stdout)")
        #expect(try CLI.run(["blocklist", "list", "--database", database]).stdout.contains("harass.example\tsuspend"))

        // What a subscription's sync would have saved, then reviewed and applied from the command line.
        let postgres = try PostgreSQLDatabase(url: database)
        do {
            let store = PostgresBlocklistStore(database: postgres)
            try await store.saveSubscription(BlocklistSubscription(id: "garden", url: "https://garden.example/list.csv"))
            try await store.saveSubscriptionEntries(id: "garden", [DomainBlock(domain: "spam.example")])
        } catch {
            await postgres.close()
            throw error
        }
        await postgres.close()
        let drafts = try CLI.run(["blocklist", "drafts", "--database", database])
        #expect(drafts.stdout.contains("addition\tspam.example\t- -> suspend\tgarden"), "\(drafts.stdout)\(drafts.stderr)")
        let applied = try CLI.run(["blocklist", "apply", "--database", database, "spam.example"])
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(try CLI.run(["blocklist", "list", "--database", database]).stdout.contains("spam.example\tsuspend"))

        let keys = try CLI.run(["blocklist", "keys", "generate", "--database", database])
        #expect(keys.status == 0, "\(keys.stderr)")
        #expect(try CLI.run(["blocklist", "keys", "list", "--database", database]).stdout.split(separator: "\n").count == 1)

        // None of it went to a SQLite file.
        let file = temporaryDatabasePath()
        defer { removeDatabase(at: file) }
        #expect(try CLI.run(["blocklist", "list", "--db", file]).stdout.hasPrefix("no blocks"))
    }

    @Test func followsImportWritesTheSharedGraph() async throws {
        let imported = try CLI.run([
            "follows", "import", "--database", database, "--user", "alice", "--local-domain", "our.example",
            "Fixtures/follows/following_accounts.csv",
        ])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.hasPrefix("Imported 3 follows of"), "\(imported.stdout)")
        let postgres = try PostgreSQLDatabase(url: database)
        var edges = -1
        do {
            for try await count in try await postgres.client.query("SELECT count(*) FROM follow_edge").decode(Int.self) {
                edges = count
            }
        } catch {
            await postgres.close()
            throw error
        }
        await postgres.close()
        #expect(edges == 3)
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
