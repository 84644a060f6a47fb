import Foundation
public import Reputation
import Testing

/// What every `ReputationStore` implementation must do.
public enum ReputationStoreConformance {
    static let at = Date(timeIntervalSince1970: 1_700_000_000)

    static func observation(_ number: Int, at date: Date) -> ObservationRecord {
        ObservationRecord(
            at: date, activityID: "https://a.example/\(number)", activityType: "Create",
            actorID: "https://a.example/users/x",
            actorHost: "a.example", action: "accept", score: 0, rules: [], signature: .verified, body: nil)
    }

    /// A store that deletes at most four expired observations per batch clears a long backlog over several
    /// batches, oldest first (for stores with such a bound: SQLite's and PostgreSQL's).
    public static let boundedRetention = ConformanceCheck<any ReputationStore>.blocking(
        "a long backlog is deleted four rows per batch"
    ) { store in
        var backlog = ReputationChanges()
        backlog.observations = (0..<12).map { observation($0, at: at.addingTimeInterval(Double($0) * 60)) }
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

    /// For stores deleting at most four rows per batch: the record's size budget keeps the newest rows.
    public static let boundedBudget = ConformanceCheck<any ReputationStore>.blocking(
        "the record's size budget keeps the newest rows, deleting four per batch"
    ) { store in
        var backlog = ReputationChanges()
        backlog.observations = (0..<12).map { observation($0, at: at.addingTimeInterval(Double($0) * 60)) }
        try store.apply(backlog)
        var remaining: [Int] = []
        for _ in 0..<4 {
            var batch = ReputationChanges()
            batch.keepObservationsAtMost = 3
            try store.apply(batch)
            remaining.append(try store.observations(limit: 100).count)
        }
        #expect(remaining == [8, 4, 3, 3])
        #expect(
            try store.observations(limit: 100).map(\.activityID)
                == ["https://a.example/11", "https://a.example/10", "https://a.example/9"])
    }

    public static let checks: [ConformanceCheck<any ReputationStore>] = [
        .blocking("records round-trip") { store in
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
            changes.labels = [
                LabelRecord(scope: .actor, key: actor.id, label: "spam-wave", expiresAt: at.addingTimeInterval(60))
            ]
            changes.observations = [
                ObservationRecord(
                    at: at, activityID: "https://a.example/1", activityType: "Create", actorID: actor.id,
                    actorHost: "a.example",
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
        },
        .blocking("a lookup reads every kind at once, and open campaigns come with their bands") { store in
            let precise = Date(timeIntervalSince1970: 1_700_000_000.123_456)
            var actor = ActorRecord(id: "https://b.example/users/y", host: "b.example", lastSeen: precise)
            actor.firstSeen = precise.addingTimeInterval(-0.5)
            var counter = WindowedCounter()
            counter.add(2, at: precise)
            var open = CampaignRecord(id: 7, firstSeen: precise)
            open.size = 2
            open.signature = [1, 0xFFFF_FFFF, 3]
            var old = CampaignRecord(id: 8, firstSeen: at.addingTimeInterval(-10 * 86_400))
            old.size = 2
            var changes = ReputationChanges()
            changes.actors = [actor]
            changes.domains = [DomainRecord(host: "b.example", lastSeen: precise)]
            changes.counters = [("domain:b.example", counter)]
            changes.campaigns = [open, old]
            changes.bands = [(11, 7), (12, 7), (13, 8)]
            changes.labels = [
                LabelRecord(scope: .domain, key: "b.example", label: "watch", expiresAt: nil),
                LabelRecord(scope: .domain, key: "b.example", label: "watch", expiresAt: precise),
            ]
            try store.apply(changes)

            var request = ReputationLookup()
            request.actorIDs = [actor.id, "https://b.example/users/none"]
            request.hosts = ["b.example"]
            request.counterKeys = ["domain:b.example", "domain:none.example"]
            request.labels = [(.domain, "b.example"), (.actor, actor.id)]
            let snapshot = try store.lookup(request)
            #expect(snapshot.actors == [actor.id: actor], "dates round-trip exactly")
            #expect(snapshot.domains.keys.sorted() == ["b.example"])
            #expect(snapshot.counters.keys.sorted() == ["domain:b.example"])
            #expect(snapshot.counters["domain:b.example"]?.count(.hour, at: precise) == 2)
            #expect(
                snapshot.labels["domain:b.example"]
                    == [LabelRecord(scope: .domain, key: "b.example", label: "watch", expiresAt: precise)],
                "setting a label again replaces its expiry")
            #expect(snapshot.labels["actor:\(actor.id)"]?.isEmpty ?? true)

            let opened = try store.openCampaigns(seenSince: at.addingTimeInterval(-86_400))
            #expect(opened.map(\.campaign) == [open])
            #expect(opened.first?.bands.sorted() == [11, 12])
        },
        .blocking("retention deletes the oldest observations only") { store in
            let hour: TimeInterval = 3_600
            var first = ReputationChanges()
            first.observations = (0..<5).map { Self.observation($0, at: at.addingTimeInterval(Double($0) * hour)) }
            try store.apply(first)

            // A batch that keeps what was recorded from hour 3 on: hours 0–2 go, in the same write as the new rows.
            var second = ReputationChanges()
            second.observations = [Self.observation(5, at: at.addingTimeInterval(5 * hour))]
            second.keepObservationsSince = at.addingTimeInterval(3 * hour)
            try store.apply(second)
            #expect(try store.observations(limit: 10).map(\.activityID) == [5, 4, 3].map { "https://a.example/\($0)" })

            // Without a date nothing is deleted; a date past every row deletes them all, and ids keep counting.
            var third = ReputationChanges()
            third.observations = [Self.observation(6, at: at.addingTimeInterval(6 * hour))]
            try store.apply(third)
            #expect(try store.observations(limit: 10).count == 4)
            var fourth = ReputationChanges()
            fourth.keepObservationsSince = at.addingTimeInterval(100 * hour)
            try store.apply(fourth)
            #expect(try store.observations(limit: 10).isEmpty)
            var fifth = ReputationChanges()
            fifth.observations = [
                Self.observation(7, at: at.addingTimeInterval(7 * hour)),
                Self.observation(8, at: at.addingTimeInterval(8 * hour)),
            ]
            try store.apply(fifth)
            #expect(try store.observations(limit: 10).map(\.activityID) == [8, 7].map { "https://a.example/\($0)" })
        },
    ]

    /// What a store several nodes write (and the in-memory one) must do with additions: add them up, never
    /// overwrite.
    public static let additionChecks: [ConformanceCheck<any ReputationStore>] = [
        .blocking("additions from two writers add up") { store in
            let halfLife: TimeInterval = 86_400
            func additions(first: Date?, last: Date, seen: Int, spam: DecayingCount) -> ActorRecord {
                var record = ActorRecord(id: "https://c.example/users/z", host: "c.example", lastSeen: last)
                record.firstSeen = first
                record.activitiesSeen = seen
                record.accepted = seen
                record.held = 1
                record.confirmedSpam = spam
                return record
            }
            var counter = WindowedCounter()
            counter.add(2, at: at)
            var one = ReputationChanges()
            one.decisionHalfLife = halfLife
            one.actorAdditions = [additions(first: at, last: at, seen: 3, spam: DecayingCount(value: 2, updatedAt: at))]
            var domain = DomainRecord(host: "c.example", lastSeen: at)
            domain.activitiesSeen = 3
            domain.actorsSeen = 1
            one.domainAdditions = [domain]
            one.counterAdditions = [("actor:z", counter)]
            try store.apply(one)

            var other = ReputationChanges()
            other.decisionHalfLife = halfLife
            other.actorAdditions = [
                additions(
                    first: at.addingTimeInterval(-60), last: at.addingTimeInterval(60), seen: 4,
                    spam: DecayingCount(value: 1, updatedAt: at.addingTimeInterval(halfLife)))
            ]
            var otherDomain = DomainRecord(host: "c.example", lastSeen: at.addingTimeInterval(60))
            otherDomain.activitiesSeen = 4
            other.domainAdditions = [otherDomain]
            other.peerListings = [("c.example", true)]
            var otherCounter = WindowedCounter()
            otherCounter.add(5, at: at)
            otherCounter.add(1, at: at.addingTimeInterval(120))
            other.counterAdditions = [("actor:z", otherCounter)]
            try store.apply(other)

            let actor = try #require(try store.actors(["https://c.example/users/z"])["https://c.example/users/z"])
            #expect(actor.activitiesSeen == 7)
            #expect(actor.accepted == 7)
            #expect(actor.held == 2)
            #expect(actor.firstSeen == at.addingTimeInterval(-60), "the earliest first sighting")
            #expect(actor.lastSeen == at.addingTimeInterval(60), "the latest sighting")
            #expect(actor.confirmedSpam.updatedAt == at.addingTimeInterval(halfLife))
            #expect(abs(actor.confirmedSpam.value - 2) < 1e-9, "2 decayed over one half-life, plus 1")
            let stored = try #require(try store.domains(["c.example"])["c.example"])
            #expect(stored.activitiesSeen == 7)
            #expect(stored.actorsSeen == 1)
            #expect(stored.peerListed)
            let total = try #require(try store.counters(["actor:z"])["actor:z"])
            #expect(total.count(.hour, at: at) == 7)
            #expect(total.count(.hour, at: at.addingTimeInterval(120)) == 8)
            #expect(
                total.count(.minute, at: at.addingTimeInterval(120)) == 1,
                "buckets that fell out of the minute window behind the newest are gone")
        }
    ]
}
