import Foundation
import Intake
import PostgresStorage
import RuleEngine
import Testing

/// The delivery verdicts nodes share through PostgreSQL: what one node records, another reads; the first record
/// stays; old ones go in bounded batches.
@Suite("PostgreSQL delivery ledger", .enabled(if: TestPostgres.available, "needs HERDWATCH_TEST_POSTGRES_URL (Scripts/with-postgres)"))
struct PostgresDeliveryLedgerTests {
    static let at = Date(timeIntervalSince1970: 1_765_000_000)

    static func verdict(_ action: RuleAction, rule: String) -> Verdict {
        Verdict(
            action: action, score: 3,
            hits: [
                RuleHit(
                    rule: rule, description: "a rule with \"quotes\" and ünïcode", score: 3, action: action, tags: ["spam"],
                    evidence: [Evidence(kind: .field, field: "mentions.count", detail: "7 ≥ 4")])
            ],
            shadowHits: [], errors: [], rulesetVersion: "v1")
    }

    @Test func aVerdictOneNodeRecordsIsReadByAnother() async throws {
        try await TestPostgres.withDatabase { database in
            let url = try #require(TestPostgres.url)
            let other = try PostgreSQLDatabase(url: url, schema: database.schema)
            let first = PostgresDeliveryLedger(database: database)
            let second = PostgresDeliveryLedger(database: other)
            let key = DeliveryKey(id: "https://far.example/1", signer: "https://far.example/users/ana", body: Array("{}".utf8))
            #expect(try await second.verdict(for: key) == nil)

            let held = Self.verdict(.hold, rule: "test.hold")
            try await first.remember(held, for: key, at: Self.at)
            #expect(try await second.verdict(for: key) == held)
            // The first record stays: a node that assessed the same copy at the same moment does not replace it.
            try await second.remember(Self.verdict(.accept, rule: "test.other"), for: key, at: Self.at)
            #expect(try await first.verdict(for: key) == held)
            // Another key is another delivery.
            #expect(try await second.verdict(for: DeliveryKey(id: "https://far.example/1", signer: "", body: Array("{}".utf8))) == nil)
            await other.close()
        }
    }

    @Test func manyAtOnceAreBatchedAndEachGetsItsOwnAnswer() async throws {
        try await TestPostgres.withDatabase { database in
            let url = try #require(TestPostgres.url)
            let other = try PostgreSQLDatabase(url: url, schema: database.schema)
            let writer = PostgresDeliveryLedger(database: database)
            let reader = PostgresDeliveryLedger(database: other)
            let keys = (0..<300).map { DeliveryKey(id: "https://far.example/\($0)", signer: "", body: []) }
            func verdict(_ index: Int) -> Verdict { Self.verdict(index.isMultiple(of: 3) ? .hold : .accept, rule: "r\(index)") }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, key) in keys.enumerated() {
                    group.addTask { try await writer.remember(verdict(index), for: key, at: Self.at) }
                }
                try await group.waitForAll()
            }
            // Some were written by the writer's own task after their callers returned: wait for the last.
            let deadline = ContinuousClock.now + .seconds(10)
            while try await reader.verdict(for: keys[299]) == nil, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            let answers = try await withThrowingTaskGroup(of: (Int, Verdict?).self) { group in
                for (index, key) in keys.enumerated() { group.addTask { (index, try await reader.verdict(for: key)) } }
                var answers: [Int: Verdict?] = [:]
                for try await (index, answer) in group { answers[index] = answer }
                return answers
            }
            for index in keys.indices { #expect(answers[index] == verdict(index), "delivery \(index)") }
            #expect(try await reader.verdict(for: DeliveryKey(id: "never", signer: "", body: [])) == nil)
            await other.close()
        }
    }

    @Test func forgettingDropsOnlyOlderEntriesInBatches() async throws {
        try await TestPostgres.withDatabase { database in
            let ledger = PostgresDeliveryLedger(database: database, forgetBatch: 3)
            let verdict = Self.verdict(.accept, rule: "none")
            for index in 0..<5 {
                try await ledger.remember(verdict, for: DeliveryKey(id: "old-\(index)", signer: "", body: []), at: Self.at)
            }
            let recent = DeliveryKey(id: "recent", signer: "", body: [])
            try await ledger.remember(verdict, for: recent, at: Self.at.addingTimeInterval(7_200))
            let cutoff = Self.at.addingTimeInterval(3_600)
            #expect(try await ledger.forget(before: cutoff) == 3)
            #expect(try await ledger.forget(before: cutoff) == 2)
            #expect(try await ledger.forget(before: cutoff) == 0)
            #expect(try await ledger.verdict(for: DeliveryKey(id: "old-0", signer: "", body: [])) == nil)
            #expect(try await ledger.verdict(for: recent) == verdict)
        }
    }
}
