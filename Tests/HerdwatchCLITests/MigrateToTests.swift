import Access
import Blocklists
import Foundation
import GRDB
import HerdwatchTestSupport
import PostgresNIO
import PostgresStorage
import Reputation
import ReviewQueue
import Storage
import Testing

/// The PostgreSQL server the tests use (Scripts/with-postgres names it).
private let testPostgresURL = ProcessInfo.processInfo.environment["HERDWATCH_TEST_POSTGRES_URL"].flatMap {
    $0.isEmpty ? nil : $0
}

/// `herdwatch db migrate-to`: a SQLite database filled through the real commands and stores, copied into
/// PostgreSQL, reads back the same through the PostgreSQL stores.
@Suite(
    "herdwatch db migrate-to postgres://…",
    .enabled(if: testPostgresURL != nil, "needs HERDWATCH_TEST_POSTGRES_URL (Scripts/with-postgres)"))
struct MigrateToTests {
    static let actor = "https://open-reg.example/users/pyod126ip7"
    static let password = "correct horse battery staple"

    /// The test server's URL with a schema of this test's own.
    let url: String = {
        let base = testPostgresURL ?? ""
        let schema = "migrate_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        return base + (base.contains("?") ? "&" : "?") + "schema=\(schema)"
    }()

    /// A SQLite database with reputation, cases and their audit, a user, blocks and follows.
    func filledDatabase() async throws -> String {
        let file = temporaryDatabasePath()
        let checked = try CLI.run(["check", "--db", file, "--format", "json", "Fixtures/streams/wave-2024-02.ndjson"])
        #expect(checked.status == 1, "\(checked.stderr)")
        let added = try CLI.run(
            ["user", "add", "alice", "--role", "moderator", "--password-stdin", "--db", file], stdin: Self.password + "\n")
        #expect(added.status == 0, "\(added.stderr)")
        let blocked = try CLI.run(["blocklist", "import", "--db", file, "Fixtures/blocklists/mastodon.csv"])
        #expect(blocked.status == 0, "\(blocked.stderr)")
        let followed = try CLI.run([
            "follows", "import", "--db", file, "--user", "alice", "--local-domain", "our.example",
            "Fixtures/follows/following_accounts.csv",
        ])
        #expect(followed.status == 0, "\(followed.stderr)")

        let cases = SQLiteCaseStore(database: try SQLiteDatabase(path: file))
        var opened: [ReviewCase] = []
        for index in 1...3 {
            let opening = try await cases.open(
                CaseStoreConformance.newCase(
                    id: "https://a.example/activities/\(index)", signer: "https://a.example/users/alice",
                    key: "key-\(index)", body: "{\"n\":\(index)}"))
            opened.append(opening.reviewCase)
        }
        let moderator = CaseStoreConformance.person(1)
        let at = Date(timeIntervalSince1970: 1_700_000_100)
        _ = try await cases.apply(CaseCommand(.claim(lease: 600), by: moderator, at: at), to: opened[0].id)
        _ = try await cases.apply(
            CaseCommand(
                .decide(Decision(actions: [.reject], reason: "spam"), delivery: nil), by: moderator, at: at),
            to: opened[0].id)
        return file
    }

    /// Runs `sql` on the SQLite file directly, for contents no command writes.
    func execute(_ sql: String, in file: String) async throws {
        let queue = try DatabaseQueue(path: file)
        try await queue.write { db in try db.execute(sql: sql) }
        try queue.close()
    }

    @Test func theCopyReadsBackTheSameThroughThePostgreSQLStores() async throws {
        let file = try await filledDatabase()
        defer { removeDatabase(at: file) }
        // More follow edges than one INSERT takes: 1,000 older copies of each imported edge.
        try await execute(
            """
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
            INSERT INTO follow_edge (local, remote, direction, remote_host, since)
            SELECT local, remote || '-' || i, direction, remote_host, since - i FROM follow_edge, n
            """, in: file)

        let migrated = try CLI.run(["db", "migrate-to", url, "--db", file])
        #expect(migrated.status == 0, "\(migrated.stderr)")
        let lines = migrated.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("review_case: 3 rows"))
        #expect(lines.contains("account: 1 rows"))
        #expect(lines.contains("domain_block: 4 rows"))
        #expect(lines.contains("follow_edge: 3003 rows"))
        #expect(lines.last?.hasPrefix("copied ") == true && lines.last?.hasSuffix("every table's row count matches") == true)
        #expect(migrated.stderr.contains("warning: SQLite table blocklist_subscription_version not copied"))
        // Progress on standard error, a line per table as it is done.
        #expect(migrated.stderr.contains("herdwatch: follow_edge: 3003 rows copied\n"), "\(migrated.stderr)")
        #expect(migrated.stderr.contains("herdwatch: review_case: 3 rows copied\n"), "\(migrated.stderr)")

        let sqlite = try SQLiteDatabase(path: file)
        let postgres = try PostgreSQLDatabase(url: url)
        do {
            // Cases and their audit.
            let sqliteCases = SQLiteCaseStore(database: sqlite)
            let postgresCases = PostgresCaseStore(database: postgres)
            for id in Int64(1)...3 {
                let original = try #require(try await sqliteCases.reviewCase(id: id))
                #expect(try await postgresCases.reviewCase(id: id) == original)
                #expect(try await postgresCases.audit(caseID: id, limit: 10) == (try await sqliteCases.audit(caseID: id, limit: 10)))
            }
            #expect(try await postgresCases.audit(caseID: 1, limit: 10).count == 2)

            // An actor's reputation and the follow graph, on the synchronous stores.
            let actors = try await onOwnThread {
                (try SQLiteReputationStore(database: sqlite).actors([Self.actor]),
                 try PostgresReputationStore(database: postgres).actors([Self.actor]))
            }
            #expect(actors.0[Self.actor] != nil)
            #expect(actors.1 == actors.0)
            let edges = try await onOwnThread {
                (try SQLiteFollowStore(database: sqlite).edges(limit: 10_000),
                 try PostgresFollowStore(database: postgres).edges(limit: 10_000))
            }
            #expect(edges.0.count == 3003)
            #expect(edges.1 == edges.0)

            // The blocks, and the blocklist's change log goes on after the copied one.
            let sqliteBlocks = try await SQLiteBlocklistStore(database: sqlite).blocks()
            let postgresBlocks = PostgresBlocklistStore(database: postgres)
            #expect(try await postgresBlocks.blocks() == sqliteBlocks)
            var changed = try #require(sqliteBlocks.first)
            changed.publicComment = "changed after the move"
            #expect(try await postgresBlocks.save(changed).revision == changed.revision + 1)

            // Alice signs in with her password.
            let access = AccessControl(store: PostgresAccessStore(database: postgres))
            let signedIn = try await access.signIn(username: "alice", password: Self.password, address: "127.0.0.1")
            if case .signedIn(let account) = signedIn {
                #expect(account.username == "alice")
            } else {
                Issue.record("alice cannot sign in after the copy: \(signedIn)")
            }

            // A new case gets a fresh id, and the audit log is append-only again.
            let fresh = try await postgresCases.open(
                CaseStoreConformance.newCase(
                    id: "https://a.example/activities/new", signer: "https://a.example/users/alice", key: "key-new"))
            #expect(fresh.reviewCase.id == 4)
            await #expect(throws: (any Error).self) {
                _ = try await postgres.client.query("DELETE FROM audit_entry")
            }
        } catch {
            await postgres.close()
            throw error
        }
        await postgres.close()
    }

    @Test func aSecondCopyIsRefusedUnlessItReplaces() async throws {
        let file = try await filledDatabase()
        defer { removeDatabase(at: file) }
        #expect(try CLI.run(["db", "migrate-to", url, "--db", file]).status == 0)

        let again = try CLI.run(["db", "migrate-to", url, "--db", file])
        #expect(again.status == 2)
        #expect(again.stderr.contains("already holds Herdwatch data"))
        #expect(again.stderr.contains("--replace"))

        let replaced = try CLI.run(["db", "migrate-to", url, "--db", file, "--replace"])
        #expect(replaced.status == 0, "\(replaced.stderr)")
        #expect(replaced.stdout.split(separator: "\n").contains("review_case: 3 rows"))
    }

    @Test func theCopyRunsWhileAnotherConnectionHoldsAWriteTransaction() async throws {
        let file = temporaryDatabasePath()
        defer { removeDatabase(at: file) }
        #expect(try CLI.run(["blocklist", "import", "--db", file, "Fixtures/blocklists/mastodon.csv"]).status == 0)
        // A write transaction left open, as a busy server's: its rows are not committed, so not copied.
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        let writer = try DatabaseQueue(path: file, configuration: configuration)
        try writer.inDatabase { db in
            try db.execute(
                sql: """
                    BEGIN IMMEDIATE;
                    INSERT INTO follow_edge VALUES ('alice@our.example', 'bob@remote.example', 'following', 'remote.example', 1);
                    """)
        }
        let migrated = try CLI.run(["db", "migrate-to", url, "--db", file])
        try writer.inDatabase { db in try db.execute(sql: "ROLLBACK") }
        try writer.close()

        #expect(migrated.status == 0, "\(migrated.stderr)")
        let lines = migrated.stdout.split(separator: "\n")
        #expect(lines.contains("domain_block: 4 rows"))
        #expect(lines.contains("follow_edge: 0 rows"))
    }

    @Test func aPostgreSQLColumnSQLiteLacksNeedsADefault() async throws {
        let file = temporaryDatabasePath()
        defer { removeDatabase(at: file) }
        #expect(try CLI.run(["db", "migrate", "--db", file]).status == 0)
        // Migrated by another process: a migration here would hold the lock every node migrating waits for while
        // this process's threads may be busy waiting for other tests' commands.
        #expect(try CLI.run(["user", "list", "--database", url]).status == 0)
        let postgres = try PostgreSQLDatabase(url: url)
        do {
            _ = try await postgres.client.query("ALTER TABLE case_queue ADD COLUMN owner TEXT NOT NULL")
        } catch {
            await postgres.close()
            throw error
        }
        await postgres.close()

        let migrated = try CLI.run(["db", "migrate-to", url, "--db", file])
        #expect(migrated.status == 2)
        #expect(
            migrated.stderr.contains(
                "PostgreSQL table case_queue has a column owner without a default that SQLite's case_queue lacks"),
            "\(migrated.stderr)")
    }

    @Test func aValueThatDoesNotFitRollsEverythingBack() async throws {
        let file = try await filledDatabase()
        defer { removeDatabase(at: file) }
        // A table of another shape: a queue's service level as text.
        try await execute(
            """
            DROP TABLE case_queue;
            CREATE TABLE case_queue (name TEXT PRIMARY KEY NOT NULL, filter TEXT NOT NULL, sla_minutes TEXT);
            INSERT INTO case_queue VALUES ('spam', 'action:hold', 'soon');
            """, in: file)

        let migrated = try CLI.run(["db", "migrate-to", url, "--db", file])
        #expect(migrated.status == 2)
        #expect(
            migrated.stderr.contains(
                "SQLite table case_queue, column sla_minutes, row 1: a text value cannot go into PostgreSQL's integer column"
            ), "\(migrated.stderr)")
        #expect(!migrated.stdout.contains("rows"))

        let postgres = try PostgreSQLDatabase(url: url)
        do {
            #expect(try await PostgresAccessStore(database: postgres).accountCount() == 0)
            #expect(try await PostgresBlocklistStore(database: postgres).blocks().isEmpty)
            #expect(try await PostgresCaseStore(database: postgres).reviewCase(id: 1) == nil)
        } catch {
            await postgres.close()
            throw error
        }
        await postgres.close()
    }

    @Test func rowsThatDoNotArriveFailTheCountCheckAndRollEverythingBack() async throws {
        let file = try await filledDatabase()
        defer { removeDatabase(at: file) }
        // Migrated by another process (see above), then a rewrite rule (which, unlike triggers, the copy cannot
        // turn off) that silently drops the follow edges it is given.
        #expect(try CLI.run(["user", "list", "--database", url]).status == 0)
        let postgres = try PostgreSQLDatabase(url: url)
        do {
            _ = try await postgres.client.query(
                "CREATE RULE drop_all AS ON INSERT TO follow_edge DO INSTEAD NOTHING")
        } catch {
            await postgres.close()
            throw error
        }
        let migrated = try CLI.run(["db", "migrate-to", url, "--db", file])
        #expect(migrated.status == 2)
        #expect(migrated.stderr.contains("table follow_edge: SQLite has "), "\(migrated.stderr)")
        #expect(migrated.stderr.contains("the transaction was rolled back"), "\(migrated.stderr)")
        do {
            // Nothing of the copy stayed, in that table or any other.
            #expect(try await PostgresAccessStore(database: postgres).accountCount() == 0)
            #expect(try await PostgresBlocklistStore(database: postgres).blocks().isEmpty)
            var edges = -1
            for try await count in try await postgres.client.query("SELECT count(*) FROM follow_edge").decode(Int.self) {
                edges = count
            }
            #expect(edges == 0)
        } catch {
            await postgres.close()
            throw error
        }
        await postgres.close()
    }
}
