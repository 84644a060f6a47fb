import Access
import Foundation
import HerdwatchTestSupport
import ReviewQueue
import RuleEngine
import Testing

@testable import Storage

/// Both stores compute the same metrics of one known day of cases: the SQLite store with aggregates, the in-memory
/// one case by case.
@Suite("Case metrics")
struct CaseMetricsTests {
    static let now = Date(timeIntervalSince1970: 1_700_100_000)

    static func store(_ kind: StoreKind) throws -> (any CaseMetricsStore, @Sendable () -> Void) {
        let (store, cleanup) = try kind.caseStore()
        return (try #require(store as? any CaseMetricsStore), cleanup)
    }

    /// Opens a flagged case `ago` seconds before `now`.
    static func open(_ store: any CaseStore, _ name: String, ago: TimeInterval, action: RuleAction = .flag) async throws
        -> ReviewCase
    {
        try await store.open(
            NewCase(
                activityID: "https://a.example/activities/\(name)", actorID: "https://a.example/users/\(name)",
                signer: nil, deliveryKey: name, source: .hook,
                verdict: Verdict(action: action, score: 1, hits: [], shadowHits: [], errors: [], rulesetVersion: "t"),
                body: Array("{}".utf8), request: nil, openedAt: now.addingTimeInterval(-ago))
        ).reviewCase
    }

    /// `who` claims the case `claimedAgo` seconds before `now` and decides it `decidedAgo` seconds before.
    static func work(
        _ store: any CaseStore, _ reviewCase: ReviewCase, by who: Principal, claimedAgo: TimeInterval,
        decidedAgo: TimeInterval, _ action: Decision.Action
    ) async throws {
        let claimed = try await store.apply(
            CaseCommand(.claim(lease: 3600), by: who, at: now.addingTimeInterval(-claimedAgo)), to: reviewCase.id)
        _ = try await store.apply(
            CaseCommand(
                .decide(Decision(actions: [action], reason: "spam"), delivery: nil), by: who, version: claimed.version,
                at: now.addingTimeInterval(-decidedAgo)),
            to: reviewCase.id)
    }

    /// A day of cases: A waits 30 h, D 2 h; B, C and E were closed; F was escalated (pending).
    static func day(_ store: any CaseMetricsStore) async throws {
        let ann = CaseStoreConformance.person(1, name: "ann")
        let bob = CaseStoreConformance.person(2, name: "bob")
        _ = try await open(store, "a", ago: 30 * 3600)
        let b = try await open(store, "b", ago: 5 * 3600)
        let c = try await open(store, "c", ago: 30 * 60)
        _ = try await open(store, "d", ago: 2 * 3600)
        let e = try await open(store, "e", ago: 3 * 3600)
        try await work(store, b, by: ann, claimedAgo: 2 * 3600, decidedAgo: 90 * 60, .reject)
        try await work(store, c, by: bob, claimedAgo: 20 * 60, decidedAgo: 10 * 60, .approve)
        try await work(store, e, by: ann, claimedAgo: 170 * 60, decidedAgo: 150 * 60, .reject)
        try await store.saveQueue(CaseQueue(name: "fast", filter: .all))
        try await store.saveQueue(CaseQueue(name: "escalated", filter: CaseFilter(state: .escalated)))
        #expect(try await store.setSLA(minutes: 60, forQueue: "fast"))
        #expect(try await !store.setSLA(minutes: 60, forQueue: "missing"))
    }

    @Test(arguments: StoreKind.allCases)
    func aKnownDayGivesKnownFigures(kind: StoreKind) async throws {
        let (store, cleanup) = try Self.store(kind)
        defer { cleanup() }
        try await Self.day(store)
        let metrics = try await store.metrics(at: Self.now, defaultSLAMinutes: 240)
        #expect(metrics.openedLastHour == 1)
        #expect(metrics.openedLastDay == 4)
        #expect(metrics.pending == 2)
        #expect(metrics.oldestPendingAge == 108_000)
        #expect(metrics.closedLastHour == 1)
        #expect(metrics.closedLastDay == 3)
        // B took 3.5 h, C 20 min, E 30 min.
        #expect(metrics.medianTimeToDecision == 1800)
        #expect(metrics.slaMinutes == 240)
        #expect(metrics.slaBreaches == 1)
        let moderators: [CaseMetrics.Moderator] = [
            CaseMetrics.Moderator(name: "ann", decisions: 2, medianTimeInReview: 1500),
            CaseMetrics.Moderator(name: "bob", decisions: 1, medianTimeInReview: 600),
        ]
        #expect(metrics.moderators == moderators)
        let queues: [CaseMetrics.Queue] = [
            CaseMetrics.Queue(name: "escalated", slaMinutes: 240, pending: 0, breaches: 0),
            CaseMetrics.Queue(name: "fast", slaMinutes: 60, pending: 2, breaches: 2),
        ]
        #expect(metrics.queues == queues)
        #expect(metrics.backlog.count == 25)
        let dayAgo = CaseMetrics.BacklogPoint(at: Self.now.addingTimeInterval(-86_400), pending: 1)
        #expect(metrics.backlog.first == dayAgo)
        // Two hours ago: A, B (closed 90 minutes ago) and D (opened that moment); E had been closed.
        let twoHoursAgo = CaseMetrics.BacklogPoint(at: Self.now.addingTimeInterval(-7200), pending: 3)
        #expect(metrics.backlog[22] == twoHoursAgo)
        let current = CaseMetrics.BacklogPoint(at: Self.now, pending: 2)
        #expect(metrics.backlog.last == current)
        #expect(try await store.queueSLAs() == ["fast": 60])
    }

    @Test(arguments: StoreKind.allCases)
    func anEmptyQueueHasNoAgesOrMedians(kind: StoreKind) async throws {
        let (store, cleanup) = try Self.store(kind)
        defer { cleanup() }
        let metrics = try await store.metrics(at: Self.now, defaultSLAMinutes: 240)
        #expect(metrics.pending == 0)
        #expect(metrics.oldestPendingAge == nil)
        #expect(metrics.medianTimeToDecision == nil)
        #expect(metrics.moderators.isEmpty)
        #expect(metrics.backlog.allSatisfy { $0.pending == 0 })
    }

    @Test(arguments: StoreKind.allCases)
    func aQueueGoesBackToTheDefaultSLA(kind: StoreKind) async throws {
        let (store, cleanup) = try Self.store(kind)
        defer { cleanup() }
        try await Self.day(store)
        #expect(try await store.setSLA(minutes: nil, forQueue: "fast"))
        let metrics = try await store.metrics(at: Self.now, defaultSLAMinutes: 180)
        let fast = CaseMetrics.Queue(name: "fast", slaMinutes: 180, pending: 2, breaches: 1)
        #expect(metrics.queues.first { $0.name == "fast" } == fast)
        #expect(try await store.queueSLAs().isEmpty)
    }
}
