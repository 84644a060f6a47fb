import Foundation
import GRDB
import HerdwatchTestSupport
import ReviewQueue
import RuleEngine
@testable import Storage
import Testing

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
                            Verdict(action: .hold, score: 1, hits: [], shadowHits: [], errors: [], rulesetVersion: "old")),
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
        let fresh = try await store.open(CaseStoreConformance.newCase(id: "https://a.example/activities/old", signer: "https://a.example/users/alice", key: "new"))
        guard case .opened(let opened) = fresh else {
            Issue.record("expected a new case")
            return
        }
        #expect(opened.id > old.id)
    }
}
