import ActivityPub
import Foundation
import HerdwatchTestSupport
import PostgresStorage
import Reputation
import RuleEngine
import Testing

/// Two nodes, each a `Reputation` with a pool of its own, counting the same actor in one PostgreSQL schema.
@Suite(
    "Reputation on two nodes",
    .enabled(if: TestPostgres.available, "needs HERDWATCH_TEST_POSTGRES_URL (Scripts/with-postgres)"))
struct PostgresReputationNodesTests {
    static let actor = "https://busy.example/users/sender"
    static let start = Date(timeIntervalSince1970: 1_700_000_040)

    static func subject() -> Subject {
        let json = """
            {"id":"\(actor)/activities/\(UUID().uuidString)","type":"Create","actor":"\(actor)",
             "object":{"type":"Note","content":"<p>same text every time</p>"}}
            """
        return Normalizer.subject(for: try! Activity.decode(Array(json.utf8)))
    }

    static let accepted = Verdict(action: .accept, score: 0, hits: [], shadowHits: [], errors: [], rulesetVersion: "t")

    @Test func twoNodesCountingOneActorBothSeeEveryCount() async throws {
        try await TestPostgres.withDatabase { database in
            let url = try #require(TestPostgres.url)
            let otherDatabase = try PostgreSQLDatabase(url: url, schema: database.schema)
            // Small batches, so that the nodes' writes interleave many times.
            let configuration = Reputation.Configuration(flushInterval: 7)
            let nodes = [database, otherDatabase].map {
                Reputation(store: PostgresReputationStore(database: $0), configuration: configuration)
            }
            let perNode = 60
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (index, node) in nodes.enumerated() {
                        group.addTask {
                            try await onOwnThread {
                                for step in 0..<perNode {
                                    // Both nodes within the same minute, one second apart.
                                    let at = Self.start.addingTimeInterval(Double(step % 30) + Double(index) / 2)
                                    try node.observe(
                                        Self.subject(), verdict: Self.accepted, signature: .verified, at: at)
                                }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                // Every batch is written after the first round; the second reads back what the other node wrote.
                for _ in 0..<2 {
                    for node in nodes { try await onOwnThread { try node.flush() } }
                }
                let at = Self.start.addingTimeInterval(40)
                for node in nodes {
                    let values = try await onOwnThread { try node.signals(for: Self.subject(), at: at).values }
                    #expect(values["actor.activities_seen"] == Double(2 * perNode))
                    #expect(values["actor.accepted"] == Double(2 * perNode))
                    // Rates count the activity being evaluated too.
                    #expect(values["rate.actor_1m"] == Double(2 * perNode + 1))
                    #expect(values["rate.actor_1h"] == Double(2 * perNode + 1))
                    #expect(values["rate.domain_1d"] == Double(2 * perNode + 1))
                }

                let fresh = PostgresReputationStore(database: database)
                let stored = try await onOwnThread {
                    (try fresh.actors([Self.actor])[Self.actor], try fresh.counters(["actor:" + Self.actor]))
                }
                #expect(stored.0?.activitiesSeen == 2 * perNode)
                #expect(
                    stored.0?.firstSeen.map { (Self.start...Self.start.addingTimeInterval(0.5)).contains($0) } == true,
                    "one node's first sighting")
                #expect(stored.1["actor:" + Self.actor]?.count(.minute, at: at) == 2 * perNode)
                #expect(try await onOwnThread { try fresh.shadowHits(sinceDay: 0).evaluated } == 2 * perNode)
            } catch {
                await otherDatabase.close()
                throw error
            }
            await otherDatabase.close()
        }
    }
}
