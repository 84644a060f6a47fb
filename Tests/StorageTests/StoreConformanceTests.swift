import Dispatch
import Foundation
import GRDB
import HerdwatchTestSupport
import Reputation
import RuleEngine
import Storage
import Synchronization
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
    @Test func aLongBacklogIsDeletedABoundedNumberOfRowsPerBatch() async throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(at: path) }
        let store = SQLiteReputationStore(database: try SQLiteDatabase(path: path), observationsDeletedPerBatch: 4)
        try await ReputationStoreConformance.boundedRetention.run(on: store)
    }

    @Test func theRecordsSizeBudgetKeepsTheNewestRows() async throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(at: path) }
        let store = SQLiteReputationStore(database: try SQLiteDatabase(path: path), observationsDeletedPerBatch: 4)
        try await ReputationStoreConformance.boundedBudget.run(on: store)
    }
}

/// The in-memory store as several nodes would share it: `Reputation` writes it additions. Its next `failures`
/// writes fail, as a database that went away would.
final class SharedMemoryReputationStore: ReputationStore {
    let stored = InMemoryReputationStore()
    let failures = Mutex(0)

    var isShared: Bool { true }

    struct Unavailable: Error {}

    func actors(_ ids: [String]) throws -> [String: ActorRecord] { try stored.actors(ids) }
    func domains(_ hosts: [String]) throws -> [String: DomainRecord] { try stored.domains(hosts) }
    func counters(_ keys: [String]) throws -> [String: WindowedCounter] { try stored.counters(keys) }
    func campaign(forBands bands: [UInt64]) throws -> CampaignRecord? { try stored.campaign(forBands: bands) }
    func openCampaigns(seenSince date: Date) throws -> [(campaign: CampaignRecord, bands: [UInt64])] {
        try stored.openCampaigns(seenSince: date)
    }
    func labels(scope: LabelRecord.Scope, key: String) throws -> [LabelRecord] {
        try stored.labels(scope: scope, key: key)
    }
    func shadowHits(sinceDay day: Int) throws -> (evaluated: Int, hits: [String: Int]) {
        try stored.shadowHits(sinceDay: day)
    }
    func observations(limit: Int) throws -> [ObservationRecord] { try stored.observations(limit: limit) }

    func apply(_ changes: ReputationChanges) throws {
        let fails = failures.withLock { failures in
            defer { failures = max(0, failures - 1) }
            return failures > 0
        }
        if fails { throw Unavailable() }
        #expect(changes.actors.isEmpty && changes.domains.isEmpty && changes.counters.isEmpty, "additions only")
        try stored.apply(changes)
    }
}

@Suite("Reputation on a shared store")
struct SharedReputationTests {
    let start = Date(timeIntervalSince1970: 1_700_000_040)
    let actor = "https://shared.example/users/a"

    @Test func nodesTakingTurnsAddUpAndEachSeesTheOthersCounts() throws {
        let store = SharedMemoryReputationStore()
        let nodes = (0..<2).map { _ in Reputation(store: store, configuration: .init(flushInterval: 3)) }
        for step in 0..<20 {
            try nodes[step % 2].observe(
                subject(actor: actor), verdict: verdict(.accept), signature: .verified,
                at: start.addingTimeInterval(Double(step)))
        }
        for _ in 0..<2 { for node in nodes { try node.flush() } }
        for node in nodes {
            let values = try node.signals(for: subject(actor: actor), at: start.addingTimeInterval(30)).values
            #expect(values["actor.activities_seen"] == 20)
            #expect(values["rate.actor_1m"] == 21)
        }
        #expect(try store.actors([actor])[actor]?.activitiesSeen == 20)
        #expect(try store.actors([actor])[actor]?.firstSeen == start)
    }

    @Test func aNodeSeesTheOthersCountsAfterItsOwnAutomaticWriteWithoutAFlush() throws {
        let store = SharedMemoryReputationStore()
        let (a, b) = (
            Reputation(store: store, configuration: .init(flushInterval: 2)),
            Reputation(store: store, configuration: .init(flushInterval: 2))
        )
        func observe(_ node: Reputation, _ count: Int) throws {
            for _ in 0..<count {
                try node.observe(subject(actor: actor), verdict: verdict(.accept), signature: .verified, at: start)
            }
        }
        try observe(a, 2)
        try observe(b, 2)
        // A's third and fourth observations: the fourth writes A's batch, after which A holds B's two as well.
        try observe(a, 2)
        #expect(try store.actors([actor])[actor]?.activitiesSeen == 6)
        #expect(try a.signals(for: subject(actor: actor), at: start).values["actor.activities_seen"] == 6)
        #expect(try a.signals(for: subject(actor: actor), at: start).values["rate.actor_1m"] == 7)
    }

    @Test func withAWriterANodeTakesInTheReadBackAtItsNextObservation() async throws {
        let store = SharedMemoryReputationStore()
        let other = Reputation(store: store)
        let node = Reputation(store: store, configuration: .init(flushInterval: 2))
        // The writer writes when told to, so the batch is surely written after `observe` handed it over.
        let (proceed, written) = (DispatchSemaphore(value: 0), DispatchSemaphore(value: 0))
        let runner = Task {
            await node.runWriter { body in
                proceed.wait()
                try body()
                written.signal()
            }
        }
        let deadline = ContinuousClock.now + .seconds(30)
        while !node.hasWriter, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        let (actor, start) = (actor, start)
        let seen = try await onOwnThread { () -> Double? in
            func observe(_ reputation: Reputation) throws {
                try reputation.observe(subject(actor: actor), verdict: verdict(.accept), signature: .verified, at: start)
            }
            try observe(node)  // reads the store: nothing yet
            for _ in 0..<3 { try observe(other) }
            try other.flush()
            try observe(node)  // hands a batch of two to the writer, which then reads back 5
            proceed.signal()
            written.wait()
            try observe(node)
            return try node.signals(for: subject(actor: actor), at: start).values["actor.activities_seen"]
        }
        #expect(seen == 6, "the other node's three, this node's three")
        runner.cancel()
        await runner.value
    }

    @Test func aFailedWriteIsWrittenOnceByTheNextFlush() throws {
        let store = SharedMemoryReputationStore()
        let node = Reputation(store: store)
        for step in 0..<5 {
            try node.observe(
                subject(actor: actor), verdict: verdict(.hold), signature: .verified,
                at: start.addingTimeInterval(Double(step)))
        }
        store.failures.withLock { $0 = 1 }
        #expect(throws: SharedMemoryReputationStore.Unavailable.self) { try node.flush() }
        try node.observe(
            subject(actor: actor), verdict: verdict(.hold), signature: .verified, at: start.addingTimeInterval(5))
        try node.flush()
        let stored = try #require(try store.actors([actor])[actor])
        #expect(stored.held == 6)
        #expect(stored.activitiesSeen == 6)
        let later = start.addingTimeInterval(10)
        #expect(try store.counters(["actor:" + actor])["actor:" + actor]?.count(.minute, at: later) == 6)
        #expect(try node.signals(for: subject(actor: actor), at: later).values["actor.held"] == 6)
    }

    @Test func aDecisionOnOneNodeIsNotOverwrittenByAnotherNodesCache() throws {
        let store = SharedMemoryReputationStore()
        let configuration = Reputation.Configuration(decisionHalfLife: 86_400)
        let moderating = Reputation(store: store, configuration: configuration)
        let busy = Reputation(store: store, configuration: configuration)
        for node in [moderating, busy] {
            try node.observe(subject(actor: actor), verdict: verdict(.hold), signature: .verified, at: start)
            try node.flush()
        }
        try moderating.recordDecision(actorID: actor, host: "shared.example", spam: true, at: start)
        try moderating.flush()
        // The busy node still caches the actor without the decision, and writes to it.
        try busy.observe(
            subject(actor: actor), verdict: verdict(.hold), signature: .verified, at: start.addingTimeInterval(1))
        try busy.flush()
        let stored = try #require(try store.actors([actor])[actor])
        #expect(stored.confirmedSpam.value == 1)
        #expect(stored.held == 3)
        #expect(try busy.signals(for: subject(actor: actor), at: start).values["actor.confirmed_spam"] == 1)
        #expect(try store.domains(["shared.example"])["shared.example"]?.confirmedSpam.value == 1)
    }
}
