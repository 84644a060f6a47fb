import Foundation
import GRDB
import ReviewQueue
import RuleEngine
@testable import Storage
import Testing

/// Every `CaseStore` implementation must pass these.
enum CaseStoreKind: String, CaseIterable, CustomTestStringConvertible {
    case memory
    case sqlite

    var testDescription: String { rawValue }

    func make() throws -> (store: any CaseStore, cleanup: () -> Void) {
        switch self {
        case .memory:
            return (InMemoryCaseStore(), {})
        case .sqlite:
            let path = temporaryDatabasePath()
            return (SQLiteCaseStore(database: try SQLiteDatabase(path: path)), { removeDatabase(at: path) })
        }
    }
}

@Suite("CaseStore conformance")
struct CaseStoreConformanceTests {
    let at = Date(timeIntervalSince1970: 1_700_000_000)

    func newCase(id: String, signer: String?, key: String, body: String = "{}") -> NewCase {
        NewCase(
            activityID: id, actorID: "https://a.example/users/alice", signer: signer, deliveryKey: key, source: .inbox,
            verdict: Verdict(action: .hold, score: 5, hits: [], shadowHits: [], errors: [], rulesetVersion: "t"),
            body: Array(body.utf8),
            request: StoredRequest(
                method: "POST", target: "/inbox", headers: [.init(name: "Host", value: "b.example")], body: Array(body.utf8),
                receivedAt: at, signedAt: at),
            openedAt: at)
    }

    @Test(arguments: CaseStoreKind.allCases)
    func aCaseIsOneDeliveryAndRepeatsJoinIt(kind: CaseStoreKind) async throws {
        let (store, cleanup) = try kind.make()
        defer { cleanup() }
        let id = "https://a.example/activities/1"
        let first = try await store.open(newCase(id: id, signer: "https://a.example/users/alice", key: "k1", body: "{\"a\":1}"))
        guard case .opened(let opened) = first else {
            Issue.record("the first delivery should open a case")
            return
        }
        #expect(opened.signer == "https://a.example/users/alice")
        #expect(opened.deliveryKey == "k1")
        let repeated = try await store.open(newCase(id: id, signer: "https://a.example/users/alice", key: "k1", body: "{\"a\":1}"))
        guard case .duplicate(let joined) = repeated else {
            Issue.record("a repeat of the delivery should join its case")
            return
        }
        #expect(joined.id == opened.id)
        #expect(joined.duplicateDeliveries == 1)
        // The same id from another signer, with another body: its own case, with its own evidence.
        let other = try await store.open(newCase(id: id, signer: "https://b.example/users/mallory", key: "k2", body: "{\"b\":2}"))
        guard case .opened(let squat) = other else {
            Issue.record("another delivery under a known id should open its own case")
            return
        }
        #expect(squat.id != opened.id)
        #expect(squat.request?.body == Array("{\"b\":2}".utf8))
        #expect(try await store.reviewCase(id: opened.id)?.request?.body == Array("{\"a\":1}".utf8))
        #expect(try await store.cases(activityID: id).map(\.id) == [opened.id, squat.id])
    }

    @Test(arguments: CaseStoreKind.allCases)
    func decisionsRecordWhoMadeThem(kind: CaseStoreKind) async throws {
        let (store, cleanup) = try kind.make()
        defer { cleanup() }
        let opened = try await store.open(newCase(id: "https://a.example/activities/2", signer: nil, key: "k")).reviewCase
        #expect(opened.decidedBy == nil)
        let decided = try await store.decide(id: opened.id, state: .rejected, delivery: nil, by: "token 3 (alex)")
        #expect(decided?.state == .rejected)
        #expect(decided?.decidedBy == "token 3 (alex)")
        #expect(try await store.reviewCase(id: opened.id)?.decidedBy == "token 3 (alex)")
        await #expect(throws: CaseTransitionError.self) {
            try await store.decide(id: opened.id, state: .approved, delivery: nil, by: "token 4 (sam)")
        }
        #expect(try await store.decide(id: 9999, state: .approved, delivery: nil, by: nil) == nil)
    }

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
        let fresh = try await store.open(newCase(id: "https://a.example/activities/old", signer: "https://a.example/users/alice", key: "new"))
        guard case .opened(let opened) = fresh else {
            Issue.record("expected a new case")
            return
        }
        #expect(opened.id > old.id)
    }
}
