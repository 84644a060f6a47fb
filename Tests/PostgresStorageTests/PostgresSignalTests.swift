import Blocklists
import Foundation
import PostgresStorage
import Synchronization
import Testing

/// Nodes tell each other of changes through LISTEN/NOTIFY: a node's own signals and other schemas' are ignored,
/// and every blocklist change is announced by the database itself.
@Suite("PostgreSQL signals", .enabled(if: TestPostgres.available, "needs HERDWATCH_TEST_POSTGRES_URL (Scripts/with-postgres)"))
struct PostgresSignalTests {
    final class Heard: Sendable {
        let kinds = Mutex<[String]>([])
        var all: [String] { kinds.withLock { $0 } }
    }

    static func waitUntil(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
    }

    @Test func aNodeHearsTheOthersSignalsAndTheDatabasesBlocklistChangesButNotItsOwn() async throws {
        try await TestPostgres.withDatabase { database in
            let url = try #require(TestPostgres.url)
            let other = try PostgreSQLDatabase(url: url, schema: database.schema)
            let elsewhere = try PostgreSQLDatabase(url: url, schema: database.schema + "_x")
            let (heardHere, heardThere) = (Heard(), Heard())
            let listeners = [
                Task { try await database.listenForSignals { kind in heardHere.kinds.withLock { $0.append(kind) } } },
                Task { try await other.listenForSignals { kind in heardThere.kinds.withLock { $0.append(kind) } } },
            ]
            // LISTEN takes effect once the listening connection has run it: send until the first one is heard.
            while heardThere.all.isEmpty {
                try await database.signal("rules")
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(heardHere.all.isEmpty, "a node never hears its own signals")
            #expect(Set(heardThere.all) == ["rules"])

            // Another schema on the same server is another deployment: not heard.
            try await elsewhere.signal("rules")
            let before = heardHere.all.count
            // Any blocklist write, by any node, is announced to every node (the writer included).
            try await PostgresBlocklistStore(database: other).save(DomainBlock(domain: "spam.example", severity: .suspend))
            try await Self.waitUntil { heardHere.all.contains("blocklist") && heardThere.all.contains("blocklist") }
            #expect(heardHere.all.dropFirst(before) == ["blocklist"], "only the blocklist change, not the other schema's signal")
            #expect(heardThere.all.contains("blocklist"))
            for listener in listeners { listener.cancel() }
            for listener in listeners { _ = await listener.result }
            await other.close()
            await elsewhere.close()
        }
    }
}
