import ActivityPub
import Foundation
@testable import Reputation
import RuleEngine
import Synchronization
import Testing

/// A store whose next `apply` calls fail, as a full disk would make them.
private final class FlakyStore: ReputationStore {
    let base = InMemoryReputationStore()
    let failuresLeft = Mutex(0)
    let applied = Mutex(0)
    /// Reads of actor records: how often the store was asked.
    let actorReads = Mutex(0)

    struct DiskFull: Error {}

    func actors(_ ids: [String]) throws -> [String: ActorRecord] {
        actorReads.withLock { $0 += 1 }
        return try base.actors(ids)
    }
    func domains(_ hosts: [String]) throws -> [String: DomainRecord] { try base.domains(hosts) }
    func counters(_ keys: [String]) throws -> [String: WindowedCounter] { try base.counters(keys) }
    func campaign(forBands bands: [UInt64]) throws -> CampaignRecord? { try base.campaign(forBands: bands) }
    func openCampaigns(seenSince date: Date) throws -> [(campaign: CampaignRecord, bands: [UInt64])] {
        try base.openCampaigns(seenSince: date)
    }
    func labels(scope: LabelRecord.Scope, key: String) throws -> [LabelRecord] { try base.labels(scope: scope, key: key) }
    func shadowHits(sinceDay day: Int) throws -> (evaluated: Int, hits: [String: Int]) { try base.shadowHits(sinceDay: day) }
    func observations(limit: Int) throws -> [ObservationRecord] { try base.observations(limit: limit) }

    func apply(_ changes: ReputationChanges) throws {
        let fail = failuresLeft.withLock { left in
            defer { left = max(0, left - 1) }
            return left > 0
        }
        if fail { throw DiskFull() }
        try base.apply(changes)
        applied.withLock { $0 += 1 }
    }
}

@Suite("Reputation writes in the background")
struct BackgroundWriteTests {
    let start = Date(timeIntervalSince1970: 1_700_000_040)

    @Test func aFailedBackgroundWriteIsReportedAndWrittenAgain() throws {
        let store = FlakyStore()
        let reputation = Reputation(store: store, configuration: .init(flushInterval: 3))
        let actors = (0..<3).map { "https://social.example/users/u\($0)" }
        store.failuresLeft.withLock { $0 = 1 }
        // The third observation starts a background write, which fails.
        for (index, actor) in actors.enumerated() {
            try reputation.observe(
                subject(actor: actor), verdict: verdict(.accept), signature: .verified, at: start.addingTimeInterval(Double(index)))
        }
        // The next flush reports the failure instead of losing the batch…
        #expect(throws: FlakyStore.DiskFull.self) { try reputation.flush() }
        #expect(try store.observations(limit: 100).isEmpty)
        // …and the one after writes it with what came since.
        try reputation.observe(subject(actor: actors[0]), verdict: verdict(.reject), signature: .verified, at: start.addingTimeInterval(9))
        try reputation.flush()
        let observations = try store.observations(limit: 100)
        #expect(observations.count == 4)
        #expect(Set(observations.map(\.actorID)) == Set(actors))
        let first = try #require(try store.actors([actors[0]])[actors[0]])
        #expect(first.accepted == 1)
        #expect(first.rejected == 1)
        #expect(first.activitiesSeen == 2)
    }

    @Test func flushWaitsForTheWriteInFlight() throws {
        let store = FlakyStore()
        let reputation = Reputation(store: store, configuration: .init(flushInterval: 2))
        for index in 0..<5 {
            try reputation.observe(
                subject(actor: "https://social.example/users/u\(index)"), verdict: verdict(.accept), signature: .verified,
                at: start.addingTimeInterval(Double(index)))
        }
        try reputation.flush()
        // Background batches of two (one more may pile up while a write is in flight), then the rest: all in
        // the store once flush returns.
        #expect(try store.observations(limit: 100).count == 5)
        #expect(store.applied.withLock { $0 } >= 2)
    }

    @Test func withoutARunnerBatchesAreWrittenByTheObserverAndNoThreadIsStarted() throws {
        let store = FlakyStore()
        let reputation = Reputation(store: store, configuration: .init(flushInterval: 2))
        for index in 0..<4 {
            try reputation.observe(
                subject(actor: "https://social.example/users/u\(index)"), verdict: verdict(.accept), signature: .verified,
                at: start.addingTimeInterval(Double(index)))
        }
        // Two batches of two, each written before `observe` returned: nothing is pending, nothing in flight.
        #expect(store.applied.withLock { $0 } == 2)
        #expect(try store.observations(limit: 100).count == 4)
    }

    @Test func aRunnerWritesBatchesOffTheObservingThreadAndEndsWhenCancelled() async throws {
        let store = FlakyStore()
        let reputation = Reputation(store: store, configuration: .init(flushInterval: 2))
        let writes = Mutex(0)
        let runner = Task {
            await reputation.runWriter { body in
                writes.withLock { $0 += 1 }
                try body()
            }
        }
        // Wait for the runner to be attached: from then on batches are handed to it.
        let deadline = ContinuousClock.now + .seconds(30)
        while !reputation.hasWriter, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        // Blocking calls run off the cooperative pool: the runner's task needs a thread of it to take each batch.
        let start = start
        try await onOwnThread {
            for index in 0..<6 {
                try reputation.observe(
                    subject(actor: "https://social.example/users/u\(index)"), verdict: verdict(.accept), signature: .verified,
                    at: start.addingTimeInterval(Double(index)))
            }
            try reputation.flush()
        }
        #expect(try store.observations(limit: 100).count == 6)
        #expect(writes.withLock { $0 } >= 1, "batches went through the runner")
        runner.cancel()
        await runner.value
        #expect(!reputation.hasWriter)
        // Detached: the next batch is written by the observer again.
        let before = store.applied.withLock { $0 }
        for index in 6..<8 {
            try reputation.observe(
                subject(actor: "https://social.example/users/u\(index)"), verdict: verdict(.accept), signature: .verified,
                at: start.addingTimeInterval(Double(index)))
        }
        #expect(store.applied.withLock { $0 } == before + 1)
    }

    /// The server asks `isReady` on the event loop, reads what is missing with `load` on its thread pool (the
    /// store is not locked meanwhile), and then assesses on the loop without touching the store.
    @Test func loadReadsWhatASubjectNeedsAndThenItIsAssessedFromMemory() throws {
        let store = FlakyStore()
        let actor = "https://social.example/users/known"
        let earlier = Reputation(store: store)
        for index in 0..<3 {
            try earlier.observe(subject(actor: actor), verdict: verdict(.reject), signature: .verified, at: start.addingTimeInterval(Double(index)))
        }
        try earlier.flush()

        let reputation = Reputation(store: store)
        let known = ReputationSubject(subject(actor: actor))
        #expect(!reputation.isReady(for: known), "nothing is in memory yet")
        try reputation.load(for: known, at: start.addingTimeInterval(60))
        #expect(reputation.isReady(for: known))
        let reads = store.actorReads.withLock { $0 }
        let signals = try reputation.signals(for: known, at: start.addingTimeInterval(60), prefetched: true)
        #expect(store.actorReads.withLock { $0 } == reads, "a ready subject's signals read nothing from the store")
        #expect(signals.values["actor.rejected"] == 3)
        // Recording it does not wait either, until a batch is due and no writer runs.
        try reputation.observe(known, verdict: verdict(.accept), signature: .verified, at: start.addingTimeInterval(61))
        #expect(reputation.isReady(for: known))
        let due = Reputation(store: store, configuration: .init(flushInterval: 1))
        try due.load(for: known, at: start.addingTimeInterval(60))
        #expect(!due.isReady(for: known), "the next observation writes a batch on the caller's thread")
    }

    @Test func aFullCacheIsWrittenBeforeItIsCleared() throws {
        let store = FlakyStore()
        let reputation = Reputation(store: store, configuration: .init(cacheCapacity: 2, flushInterval: 2))
        let actors = (0..<6).map { "https://host\($0).example/users/a" }
        for (index, actor) in actors.enumerated() {
            try reputation.observe(
                subject(actor: actor), verdict: verdict(.accept), signature: .verified, at: start.addingTimeInterval(Double(index)))
        }
        // Evicted actors are read back from the store with everything recorded about them.
        for actor in actors {
            let signals = try reputation.signals(for: subject(actor: actor), at: start.addingTimeInterval(3_600))
            #expect(signals.values["actor.activities_seen"] == 1, "\(actor)")
        }
    }
}
