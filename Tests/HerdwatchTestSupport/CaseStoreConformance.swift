import Foundation
public import ReviewQueue
import RuleEngine
import Testing

/// What every `CaseStore` implementation must do.
public enum CaseStoreConformance {
    static let at = Date(timeIntervalSince1970: 1_700_000_000)

    /// A held delivery of `id` by `signer`, opened at a fixed time.
    public static func newCase(id: String, signer: String?, key: String, body: String = "{}") -> NewCase {
        NewCase(
            activityID: id, actorID: "https://a.example/users/alice", signer: signer, deliveryKey: key, source: .inbox,
            verdict: Verdict(action: .hold, score: 5, hits: [], shadowHits: [], errors: [], rulesetVersion: "t"),
            body: Array(body.utf8),
            request: StoredRequest(
                method: "POST", target: "/inbox", headers: [.init(name: "Host", value: "b.example")], body: Array(body.utf8),
                receivedAt: at, signedAt: at),
            openedAt: at)
    }

    public static let checks: [ConformanceCheck<any CaseStore>] = [
        ConformanceCheck("a case is one delivery and repeats join it") { store in
            let id = "https://a.example/activities/1"
            let first = try await store.open(newCase(id: id, signer: "https://a.example/users/alice", key: "k1", body: "{\"a\":1}"))
            guard case .opened(let opened) = first else {
                Issue.record("the first delivery should open a case")
                return
            }
            #expect(opened.signer == "https://a.example/users/alice")
            #expect(opened.deliveryKey == "k1")
            #expect(opened.state == .open)
            #expect(opened.openedAt == at)
            let repeated = try await store.open(newCase(id: id, signer: "https://a.example/users/alice", key: "k1", body: "{\"a\":1}"))
            guard case .duplicate(let joined) = repeated else {
                Issue.record("a repeat of the delivery should join its case")
                return
            }
            #expect(joined.id == opened.id)
            #expect(joined.duplicateDeliveries == 1)
            #expect(try await store.reviewCase(id: opened.id)?.duplicateDeliveries == 1)
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
            #expect(try await store.cases(activityID: "https://a.example/activities/unknown").isEmpty)
            #expect(try await store.reviewCase(id: 9999) == nil)
        },
        ConformanceCheck("decisions record who made them, once") { store in
            let opened = try await store.open(newCase(id: "https://a.example/activities/2", signer: nil, key: "k")).reviewCase
            #expect(opened.decidedBy == nil)
            let decided = try await store.decide(id: opened.id, state: .rejected, delivery: nil, by: "token 3 (alex)")
            #expect(decided?.state == .rejected)
            #expect(decided?.decidedBy == "token 3 (alex)")
            #expect(try await store.reviewCase(id: opened.id)?.decidedBy == "token 3 (alex)")
            await #expect(throws: CaseTransitionError.self) {
                try await store.decide(id: opened.id, state: .approved, delivery: nil, by: "token 4 (sam)")
            }
            #expect(try await store.reviewCase(id: opened.id)?.state == .rejected)
            #expect(try await store.decide(id: 9999, state: .approved, delivery: nil, by: nil) == nil)
        },
        ConformanceCheck("an approval keeps the delivery upstream") { store in
            let opened = try await store.open(newCase(id: "https://a.example/activities/3", signer: nil, key: "k")).reviewCase
            let delivery = ReviewCase.Delivery(at: at.addingTimeInterval(60), status: 202)
            let approved = try await store.decide(id: opened.id, state: .approved, delivery: delivery, by: "admin")
            #expect(approved?.delivery == delivery)
            #expect(try await store.reviewCase(id: opened.id)?.delivery == delivery)
        },
        ConformanceCheck("cases list by state, oldest first, and count per state") { store in
            var ids: [Int64] = []
            for index in 1...4 {
                ids.append(
                    try await store.open(newCase(id: "https://a.example/activities/list-\(index)", signer: nil, key: "l\(index)"))
                        .reviewCase.id)
            }
            #expect(ids == ids.sorted() && Set(ids).count == 4)
            _ = try await store.decide(id: ids[1], state: .approved, delivery: nil, by: nil)
            _ = try await store.decide(id: ids[2], state: .rejected, delivery: nil, by: nil)
            #expect(try await store.cases(state: nil, limit: 10).map(\.id) == ids)
            #expect(try await store.cases(state: .open, limit: 10).map(\.id) == [ids[0], ids[3]])
            #expect(try await store.cases(state: .open, limit: 1).map(\.id) == [ids[0]])
            #expect(try await store.cases(state: .approved, limit: 10).map(\.id) == [ids[1]])
            #expect(try await store.caseCounts() == [.open: 2, .approved: 1, .rejected: 1])
        },
    ]
}
