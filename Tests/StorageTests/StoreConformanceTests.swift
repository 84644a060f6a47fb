import Foundation
import GRDB
import HerdwatchTestSupport
import Reputation
import Storage
import Testing

@Suite("ReputationStore conformance")
struct StoreConformanceTests {
    @Test(arguments: StoreKind.allCases, ReputationStoreConformance.checks)
    func conforms(kind: StoreKind, check: ConformanceCheck<any ReputationStore>) async throws {
        let (store, cleanup) = try kind.reputationStore()
        defer { cleanup() }
        try await check.run(on: store)
    }

    @Test(arguments: ReputationStoreConformance.additionChecks)
    func inMemoryStoreAddsAdditions(check: ConformanceCheck<any ReputationStore>) async throws {
        try await check.run(on: InMemoryReputationStore())
    }
}


@Suite("In-memory store for long replays")
struct InMemoryStoreTests {
    @Test func canDropObservationsButKeepsReputation() throws {
        let store = InMemoryReputationStore(keepsObservations: false)
        var changes = ReputationChanges()
        changes.actors = [ActorRecord(id: "a", host: "h.example", lastSeen: Date(timeIntervalSince1970: 0))]
        changes.observations = [
            ObservationRecord(
                at: Date(timeIntervalSince1970: 0), activityID: nil, activityType: "Create", actorID: "a", actorHost: "h.example",
                action: "accept", score: 0, rules: [], signature: .verified, body: nil)
        ]
        try store.apply(changes)
        #expect(try store.observations(limit: 10).isEmpty)
        #expect(try store.actors(["a"]).count == 1)
    }
}

@Suite("SQLite observation retention")
struct SQLiteObservationRetentionTests {
    let at = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func aLongBacklogIsDeletedABoundedNumberOfRowsPerBatch() throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(at: path) }
        let store = SQLiteReputationStore(database: try SQLiteDatabase(path: path), observationsDeletedPerBatch: 4)
        func observation(_ number: Int) -> ObservationRecord {
            ObservationRecord(
                at: at.addingTimeInterval(Double(number) * 60), activityID: "https://a.example/\(number)", activityType: "Create",
                actorID: "https://a.example/users/x", actorHost: "a.example", action: "accept", score: 0, rules: [],
                signature: .verified, body: nil)
        }
        var backlog = ReputationChanges()
        backlog.observations = (0..<12).map(observation)
        try store.apply(backlog)

        // Minutes 0–9 have expired; each batch deletes at most four of them, oldest first.
        var remaining: [Int] = []
        for _ in 0..<4 {
            var batch = ReputationChanges()
            batch.keepObservationsSince = at.addingTimeInterval(10 * 60)
            try store.apply(batch)
            remaining.append(try store.observations(limit: 100).count)
        }
        #expect(remaining == [8, 4, 2, 2])
        #expect(try store.observations(limit: 100).map(\.activityID) == ["https://a.example/11", "https://a.example/10"])
    }
}
