public import Access
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
                method: "POST", target: "/inbox", headers: [.init(name: "Host", value: "b.example")],
                body: Array(body.utf8),
                receivedAt: at, signedAt: at),
            openedAt: at)
    }

    /// A signed-in person with `role`, acting through the UI.
    public static func person(_ id: Int64, _ role: Account.Role = .moderator, name: String? = nil) -> Principal {
        Principal(
            account: Account(
                id: id, username: name ?? "\(role.rawValue)\(id)", role: role, passwordHash: "-", createdAt: at),
            token: nil, via: .ui)
    }

    static func decision(_ actions: [Decision.Action], reason: String = "spam", note: String? = nil) -> CaseCommand.Kind
    {
        .decide(Decision(actions: actions, reason: reason, note: note), delivery: nil)
    }

    public static let checks: [ConformanceCheck<any CaseStore>] = basics + workflow + reports

    static let basics: [ConformanceCheck<any CaseStore>] = [
        ConformanceCheck("a case is one delivery and repeats join it") { store in
            let id = "https://a.example/activities/1"
            let first = try await store.open(
                newCase(id: id, signer: "https://a.example/users/alice", key: "k1", body: "{\"a\":1}"))
            guard case .opened(let opened) = first else {
                Issue.record("the first delivery should open a case")
                return
            }
            #expect(opened.signer == "https://a.example/users/alice")
            #expect(opened.deliveryKey == "k1")
            #expect(opened.state == .open)
            #expect(opened.openedAt == at)
            let repeated = try await store.open(
                newCase(id: id, signer: "https://a.example/users/alice", key: "k1", body: "{\"a\":1}"))
            guard case .duplicate(let joined) = repeated else {
                Issue.record("a repeat of the delivery should join its case")
                return
            }
            #expect(joined.id == opened.id)
            #expect(joined.duplicateDeliveries == 1)
            #expect(try await store.reviewCase(id: opened.id)?.duplicateDeliveries == 1)
            // The same id from another signer, with another body: its own case, with its own evidence.
            let other = try await store.open(
                newCase(id: id, signer: "https://b.example/users/mallory", key: "k2", body: "{\"b\":2}"))
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
            let opened = try await store.open(newCase(id: "https://a.example/activities/2", signer: nil, key: "k"))
                .reviewCase
            #expect(opened.decidedBy == nil)
            #expect(opened.version == 1)
            let alex = person(3, name: "alex")
            let decided = try await store.apply(CaseCommand(decision([.reject]), by: alex, at: at), to: opened.id)
            #expect(decided.state == .closed)
            #expect(decided.outcome == .rejected)
            #expect(decided.decidedBy == "alex")
            #expect(decided.version == 2)
            #expect(try await store.reviewCase(id: opened.id) == decided)
            let again = await #expect(throws: CaseWorkflowError.self) {
                try await store.apply(CaseCommand(decision([.approve]), by: person(4), at: at), to: opened.id)
            }
            #expect(again?.code == .badTransition)
            #expect(try await store.reviewCase(id: opened.id)?.outcome == .rejected)
            let missing = await #expect(throws: CaseWorkflowError.self) {
                try await store.apply(CaseCommand(decision([.approve]), by: alex, at: at), to: 9999)
            }
            #expect(missing?.code == .notFound)
        },
        ConformanceCheck("an approval keeps the delivery upstream") { store in
            let opened = try await store.open(newCase(id: "https://a.example/activities/3", signer: nil, key: "k"))
                .reviewCase
            let delivery = ReviewCase.Delivery(at: at.addingTimeInterval(60), status: 202)
            let approved = try await store.apply(
                CaseCommand(
                    .decide(Decision(actions: [.approve], reason: "not_a_violation"), delivery: delivery),
                    by: person(1), at: at),
                to: opened.id)
            #expect(approved.delivery == delivery)
            #expect(approved.closedAt == at)
            #expect(try await store.reviewCase(id: opened.id)?.delivery == delivery)
        },
        ConformanceCheck("cases list by state, oldest first, and count per state") { store in
            var ids: [Int64] = []
            for index in 1...4 {
                ids.append(
                    try await store.open(
                        newCase(id: "https://a.example/activities/list-\(index)", signer: nil, key: "l\(index)")
                    )
                    .reviewCase.id)
            }
            #expect(ids == ids.sorted() && Set(ids).count == 4)
            _ = try await store.apply(
                CaseCommand(decision([.approve], reason: "not_a_violation"), by: person(1), at: at), to: ids[1])
            _ = try await store.apply(CaseCommand(decision([.reject]), by: person(1), at: at), to: ids[2])
            #expect(try await store.cases(state: nil, limit: 10).map(\.id) == ids)
            #expect(try await store.cases(state: .open, limit: 10).map(\.id) == [ids[0], ids[3]])
            #expect(try await store.cases(state: .open, limit: 1).map(\.id) == [ids[0]])
            #expect(try await store.cases(state: .closed, limit: 10).map(\.id) == [ids[1], ids[2]])
            #expect(try await store.caseCounts() == [.open: 2, .closed: 2])
            #expect(try await store.cases(matching: CaseFilter(outcome: .rejected), limit: 10).map(\.id) == [ids[2]])
        },
    ]
}
