import Foundation
import GRDB
import HerdwatchTestSupport
import Reputation
import Storage
import Testing

@Suite("ReputationStore conformance")
struct StoreConformanceTests {
    let at = Date(timeIntervalSince1970: 1_700_000_000)

    @Test(arguments: StoreKind.allCases)
    func recordsRoundTrip(kind: StoreKind) throws {
        let (store, cleanup) = try kind.reputationStore()
        defer { cleanup() }
        var actor = ActorRecord(id: "https://a.example/users/x", host: "a.example", lastSeen: at)
        actor.firstSeen = at.addingTimeInterval(-60)
        actor.published = at.addingTimeInterval(-3_600)
        actor.activitiesSeen = 4
        actor.accepted = 2
        actor.flagged = 1
        actor.held = 1
        actor.confirmedSpam = DecayingCount(value: 1.5, updatedAt: at)
        var domain = DomainRecord(host: "a.example", lastSeen: at)
        domain.actorsSeen = 3
        domain.peerListed = true
        domain.confirmedHam = DecayingCount(value: 2, updatedAt: at)
        var counter = WindowedCounter()
        counter.add(3, at: at)
        var campaign = CampaignRecord(id: -42, firstSeen: at)
        campaign.size = 7
        campaign.actors = ["x", "y"]
        campaign.domains = ["a.example"]
        var changes = ReputationChanges()
        changes.actors = [actor]
        changes.domains = [domain]
        changes.counters = [("actor:x", counter)]
        changes.campaigns = [campaign]
        changes.bands = [(UInt64.max - 1, -42)]
        changes.labels = [LabelRecord(scope: .actor, key: actor.id, label: "spam-wave", expiresAt: at.addingTimeInterval(60))]
        changes.observations = [
            ObservationRecord(
                at: at, activityID: "https://a.example/1", activityType: "Create", actorID: actor.id, actorHost: "a.example",
                action: "hold", score: 9, rules: ["r1", "r2"], signature: .verified, body: Array("{}".utf8))
        ]
        changes.evaluated = [19_675: 10]
        changes.shadowHits = [19_675: ["shadow.rule": 3]]
        try store.apply(changes)

        #expect(try store.actors([actor.id, "missing"]) == [actor.id: actor])
        #expect(try store.domains(["a.example"]) == ["a.example": domain])
        #expect(try store.counters(["actor:x"])["actor:x"]?.count(.minute, at: at) == 3)
        #expect(try store.campaign(forBands: [1, UInt64.max - 1]) == campaign)
        #expect(try store.campaign(forBands: [1, 2]) == nil)
        #expect(try store.labels(scope: .actor, key: actor.id) == changes.labels)
        #expect(try store.observations(limit: 5) == changes.observations)
        let shadow = try store.shadowHits(sinceDay: 19_000)
        #expect(shadow.evaluated == 10)
        #expect(shadow.hits == ["shadow.rule": 3])

        // Counts accumulate across batches.
        var more = ReputationChanges()
        more.evaluated = [19_675: 5]
        more.shadowHits = [19_675: ["shadow.rule": 1]]
        try store.apply(more)
        let accumulated = try store.shadowHits(sinceDay: 19_675)
        #expect(accumulated.evaluated == 15)
        #expect(accumulated.hits == ["shadow.rule": 4])
        #expect(try store.shadowHits(sinceDay: 19_676).evaluated == 0)
    }

    private func observation(_ number: Int, at date: Date) -> ObservationRecord {
        ObservationRecord(
            at: date, activityID: "https://a.example/\(number)", activityType: "Create", actorID: "https://a.example/users/x",
            actorHost: "a.example", action: "accept", score: 0, rules: [], signature: .verified, body: nil)
    }

    @Test(arguments: StoreKind.allCases)
    func retentionDeletesTheOldestObservationsOnly(kind: StoreKind) throws {
        let (store, cleanup) = try kind.reputationStore()
        defer { cleanup() }
        let hour: TimeInterval = 3_600
        var first = ReputationChanges()
        first.observations = (0..<5).map { observation($0, at: at.addingTimeInterval(Double($0) * hour)) }
        try store.apply(first)

        // A batch that keeps what was recorded from hour 3 on: hours 0–2 go, in the same write as the new rows.
        var second = ReputationChanges()
        second.observations = [observation(5, at: at.addingTimeInterval(5 * hour))]
        second.keepObservationsSince = at.addingTimeInterval(3 * hour)
        try store.apply(second)
        #expect(try store.observations(limit: 10).map(\.activityID) == [5, 4, 3].map { "https://a.example/\($0)" })

        // Without a date nothing is deleted; a date past every row deletes them all, and ids keep counting.
        var third = ReputationChanges()
        third.observations = [observation(6, at: at.addingTimeInterval(6 * hour))]
        try store.apply(third)
        #expect(try store.observations(limit: 10).count == 4)
        var fourth = ReputationChanges()
        fourth.keepObservationsSince = at.addingTimeInterval(100 * hour)
        try store.apply(fourth)
        #expect(try store.observations(limit: 10).isEmpty)
        var fifth = ReputationChanges()
        fifth.observations = [observation(7, at: at.addingTimeInterval(7 * hour)), observation(8, at: at.addingTimeInterval(8 * hour))]
        try store.apply(fifth)
        #expect(try store.observations(limit: 10).map(\.activityID) == [8, 7].map { "https://a.example/\($0)" })
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
