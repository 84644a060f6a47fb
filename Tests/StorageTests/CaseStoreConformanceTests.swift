import Foundation
import GRDB
import HerdwatchTestSupport
import ReviewQueue
import RuleEngine
import Testing

@testable import Storage

@Suite("CaseStore conformance")
struct CaseStoreConformanceTests {
    @Test(arguments: StoreKind.allCases, CaseStoreConformance.checks)
    func conforms(kind: StoreKind, check: ConformanceCheck<any CaseStore>) async throws {
        let (store, cleanup) = try kind.caseStore()
        defer { cleanup() }
        try await check.run(on: store)
    }
}

@Suite("SQLiteCaseStore migrations")
struct SQLiteCaseStoreMigrationTests {
    @Test func casesFromBeforeTheSignerWasKeptMigrate() async throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(at: path) }
        // A database as the previous release left it: one case per activity id.
        let queue = try DatabaseQueue(path: path)
        try Migrations.migrator.migrate(queue, upTo: "2026-11-28-campaign-fingerprint-version")
        try await queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO review_case (activity_id, actor_id, source, action, verdict, state, opened_at, body)
                    VALUES ('https://a.example/activities/old', 'https://a.example/users/alice', 'inbox', 'hold', ?, 'open', 1, x'7b7d')
                    """,
                arguments: [
                    String(
                        decoding: try JSONEncoder().encode(
                            Verdict(
                                action: .hold, score: 1, hits: [], shadowHits: [], errors: [], rulesetVersion: "old")),
                        as: UTF8.self)
                ])
        }
        try queue.close()
        let store = SQLiteCaseStore(database: try SQLiteDatabase(path: path))
        let old = try await #require(try store.cases(activityID: "https://a.example/activities/old").first)
        #expect(old.signer == nil)
        #expect(old.deliveryKey == "legacy:https://a.example/activities/old")
        #expect(old.state == .open)
        // A new delivery under the same id now opens a case of its own.
        let fresh = try await store.open(
            CaseStoreConformance.newCase(
                id: "https://a.example/activities/old", signer: "https://a.example/users/alice", key: "new"))
        guard case .opened(let opened) = fresh else {
            Issue.record("expected a new case")
            return
        }
        #expect(opened.id > old.id)
    }
}

@Suite("SQLiteCaseStore workflow migration")
struct SQLiteCaseWorkflowMigrationTests {
    @Test func decidedCasesBecomeClosedWithTheirOutcome() async throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(at: path) }
        let queue = try DatabaseQueue(path: path)
        try Migrations.migrator.migrate(queue, upTo: "2026-12-07-case-per-delivery")
        let verdict = Verdict(
            action: .hold, score: 7,
            hits: [
                RuleHit(
                    rule: "spam.link", description: "", score: 7, action: .hold, tags: ["links", "spam"], evidence: [])
            ],
            shadowHits: [], errors: [], rulesetVersion: "old")
        let verdictText = String(decoding: try JSONEncoder().encode(verdict), as: UTF8.self)
        try await queue.write { db in
            for (key, state, action) in [("a", "approved", "flag"), ("r", "rejected", "hold"), ("o", "open", "hold")] {
                try db.execute(
                    sql: """
                        INSERT INTO review_case (activity_id, actor_id, signer, delivery_key, source, action, verdict, state, opened_at, body, decided_by)
                        VALUES (?, 'https://Old.Example/users/alice', NULL, ?, 'inbox', ?, ?, ?, 1, x'7b7d', ?)
                        """,
                    arguments: [
                        "https://old.example/activities/\(key)", key, action, verdictText, state,
                        state == "open" ? nil : "token 1 (ops)",
                    ])
            }
        }
        try queue.close()
        let store = SQLiteCaseStore(database: try SQLiteDatabase(path: path))
        let cases = try await store.cases(state: nil, limit: 10)
        let byKey = Dictionary(uniqueKeysWithValues: cases.map { ($0.deliveryKey, $0) })
        #expect(byKey["a"]?.state == .closed && byKey["a"]?.outcome == .approved)
        #expect(
            byKey["r"]?.state == .closed && byKey["r"]?.outcome == .rejected && byKey["r"]?.decidedBy == "token 1 (ops)"
        )
        #expect(byKey["o"]?.state == .open && byKey["o"]?.outcome == nil && byKey["o"]?.version == 1)
        // The priority formula's action and score parts, and the columns queue filters read.
        #expect(byKey["o"]?.priority == 1070)
        #expect(byKey["a"]?.priority == 70)
        #expect(
            try await store.cases(matching: CaseFilter(ruleTag: "spam", domain: "old.example"), limit: 10).count == 3)
        #expect(
            try await store.cases(matching: CaseFilter(ruleID: "spam.link", domain: "old.example"), limit: 10).count
                == 3)
        #expect(try await store.caseCounts() == [.open: 1, .closed: 2])
        // The migrated open case can be worked.
        let next = try await store.next(for: CaseStoreConformance.person(1), queue: nil, lease: 600, at: Date())
        #expect(next?.deliveryKey == "o")
    }
}
