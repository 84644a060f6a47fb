import Access
import Foundation
import HerdwatchTestSupport
import PostgresStorage
import ReviewQueue
import RuleEngine
import Testing

/// Evidence retention, metrics and QA on PostgreSQL: the figures the SQLite store's tests (StorageTests) expect of
/// the same cases.
@Suite(
    "PostgreSQL case quality",
    .enabled(if: TestPostgres.available, "needs HERDWATCH_TEST_POSTGRES_URL (Scripts/with-postgres)"))
struct PostgresCaseQualityTests {
    static let now = Date(timeIntervalSince1970: 1_700_100_000)
    static let ann = CaseStoreConformance.person(1, name: "ann")
    static let bob = CaseStoreConformance.person(2, name: "bob")
    static let cat = CaseStoreConformance.person(3, name: "cat")

    /// Opens a case `ago` seconds before `now`; decides it as `who` claimed `claimedAgo` and decided `decidedAgo`.
    @discardableResult
    static func open(
        _ store: PostgresCaseStore, _ name: String, ago: TimeInterval,
        worked: (who: Principal, claimedAgo: TimeInterval, decidedAgo: TimeInterval, Decision.Action)? = nil,
        rules: [String] = []
    ) async throws -> ReviewCase {
        let hits = rules.map { RuleHit(rule: $0, description: "", score: 1, action: nil, tags: [], evidence: []) }
        let opened = try await store.open(
            NewCase(
                activityID: "https://a.example/activities/\(name)", actorID: "https://a.example/users/\(name)",
                signer: nil, deliveryKey: name, source: .hook,
                verdict: Verdict(action: .flag, score: 1, hits: hits, shadowHits: [], errors: [], rulesetVersion: "t"),
                body: Array("{}".utf8), request: nil, openedAt: now.addingTimeInterval(-ago))
        ).reviewCase
        guard let (who, claimedAgo, decidedAgo, action) = worked else { return opened }
        let claimed = try await store.apply(
            CaseCommand(.claim(lease: 3600), by: who, at: now.addingTimeInterval(-claimedAgo)), to: opened.id)
        return try await store.apply(
            CaseCommand(
                .decide(Decision(actions: [action], reason: "spam"), delivery: nil), by: who, version: claimed.version,
                at: now.addingTimeInterval(-decidedAgo)),
            to: opened.id)
    }

    /// The known day of `CaseMetricsTests`: A waits 30 h, D 2 h; B, C and E were closed.
    @Test func aKnownDayGivesTheSameFiguresAsSQLite() async throws {
        try await TestPostgres.withDatabase { database in
            let store = PostgresCaseStore(database: database)
            try await Self.open(store, "a", ago: 30 * 3600)
            try await Self.open(store, "b", ago: 5 * 3600, worked: (Self.ann, 2 * 3600, 90 * 60, .reject))
            try await Self.open(store, "c", ago: 30 * 60, worked: (Self.bob, 20 * 60, 10 * 60, .approve))
            try await Self.open(store, "d", ago: 2 * 3600)
            try await Self.open(store, "e", ago: 3 * 3600, worked: (Self.ann, 170 * 60, 150 * 60, .reject))
            try await store.saveQueue(CaseQueue(name: "fast", filter: .all))
            try await store.saveQueue(CaseQueue(name: "escalated", filter: CaseFilter(state: .escalated)))
            #expect(try await store.setSLA(minutes: 60, forQueue: "fast"))
            #expect(try await !store.setSLA(minutes: 60, forQueue: "missing"))

            let metrics = try await store.metrics(at: Self.now, defaultSLAMinutes: 240)
            let counts: [Int] = [
                metrics.openedLastHour, metrics.openedLastDay, metrics.pending, metrics.closedLastHour,
                metrics.closedLastDay, metrics.slaBreaches,
            ]
            #expect(counts == [1, 4, 2, 1, 3, 1])
            #expect(metrics.oldestPendingAge == 108_000)
            #expect(metrics.medianTimeToDecision == 1800)
            #expect(
                metrics.moderators == [
                    CaseMetrics.Moderator(name: "ann", decisions: 2, medianTimeInReview: 1500),
                    CaseMetrics.Moderator(name: "bob", decisions: 1, medianTimeInReview: 600),
                ])
            #expect(
                metrics.queues == [
                    CaseMetrics.Queue(name: "escalated", slaMinutes: 240, pending: 0, breaches: 0),
                    CaseMetrics.Queue(name: "fast", slaMinutes: 60, pending: 2, breaches: 2),
                ])
            // Hourly from a day ago: A alone until B opens 5 h ago, E 3 h ago, D 2 h ago; E, B and C close.
            #expect(metrics.backlog.map(\.pending) == Array(repeating: 1, count: 19) + [2, 2, 3, 3, 2, 2])
            #expect(metrics.backlog.last?.at == Self.now)
            #expect(try await store.queueSLAs() == ["fast": 60])

            #expect(try await store.setSLA(minutes: nil, forQueue: "fast"))
            let later = try await store.metrics(at: Self.now, defaultSLAMinutes: 180)
            #expect(
                later.queues.first { $0.name == "fast" }
                    == CaseMetrics.Queue(name: "fast", slaMinutes: 180, pending: 2, breaches: 1))
            #expect(try await store.queueSLAs().isEmpty)
        }
    }

    @Test func anEmptyQueueHasNoAgesOrMedians() async throws {
        try await TestPostgres.withDatabase { database in
            let metrics = try await PostgresCaseStore(database: database).metrics(at: Self.now, defaultSLAMinutes: 240)
            #expect(metrics.pending == 0 && metrics.oldestPendingAge == nil && metrics.medianTimeToDecision == nil)
            #expect(metrics.moderators.isEmpty)
            #expect(metrics.backlog.count == 25 && metrics.backlog.allSatisfy { $0.pending == 0 })
        }
    }

    @Test func evidenceOfCasesClosedBeforeTheCutoffIsPurgedOnceOldestFirst() async throws {
        try await TestPostgres.withDatabase { database in
            let store = PostgresCaseStore(database: database)
            let day: TimeInterval = 86_400
            var closed: [ReviewCase] = []
            for (name, daysAgo) in [("95", 95.0), ("120", 120), ("100", 100), ("10", 10)] {
                var newCase = CaseStoreConformance.newCase(
                    id: "https://a.example/activities/\(name)", signer: nil, key: name, body: #"{"k":1}"#)
                newCase.actorDocument = Array(#"{"type":"Person"}"#.utf8)
                let opened = try await store.open(newCase).reviewCase
                closed.append(
                    try await store.apply(
                        CaseCommand(
                            .decide(Decision(actions: [.reject], reason: "spam"), delivery: nil), by: Self.ann,
                            at: Self.now.addingTimeInterval(-daysAgo * day)),
                        to: opened.id))
            }
            let waiting = try await Self.open(store, "open", ago: 200 * day)
            let cutoff = Self.now.addingTimeInterval(-90 * day)
            #expect(
                try await store.purgeEvidence(closedBefore: cutoff, at: Self.now, limit: 2) == [
                    closed[1].id, closed[2].id,
                ])
            #expect(try await store.purgeEvidence(closedBefore: cutoff, at: Self.now, limit: 2) == [closed[0].id])
            #expect(try await store.purgeEvidence(closedBefore: cutoff, at: Self.now, limit: 2).isEmpty)

            let purged = try #require(try await store.reviewCase(id: closed[1].id))
            #expect(purged.body.isEmpty && purged.request == nil && purged.actorDocument == nil)
            #expect(purged.evidenceDigest == closed[1].evidenceDigest)
            #expect(purged.state == .closed && purged.outcome == .rejected && purged.verdict == closed[1].verdict)
            #expect(try await store.evidencePurgedAt(caseID: closed[1].id) == Self.now)
            let audit = try await store.audit(caseID: closed[1].id, limit: 10)
            #expect(audit.map(\.action) == [.purge, .reject])
            #expect(audit.first?.via == .expiry && audit.first?.note?.contains("120 days") == true)
            for kept in [closed[3], waiting] {
                let stored = try #require(try await store.reviewCase(id: kept.id))
                #expect(stored.body == kept.body && stored.request == kept.request)
                #expect(try await store.evidencePurgedAt(caseID: kept.id) == nil)
            }
        }
    }

    @Test func anotherModeratorAnswersBlindAndAgreementIsCounted() async throws {
        try await TestPostgres.withDatabase { database in
            let store = PostgresCaseStore(database: database)
            let first = try await Self.open(
                store, "one", ago: 600, worked: (Self.ann, 500, 400, .reject), rules: ["spam.link"])
            #expect(try await store.nextQA(for: Self.ann, share: 1, lease: 600, at: Self.now) == nil)
            let (review, shown) = try #require(
                try await store.nextQA(for: Self.bob, share: 1, lease: 600, at: Self.now))
            #expect(review.caseID == first.id && shown == first)
            #expect(review.firstDecider == "ann" && review.firstAccountID == 1 && review.firstOutcome == .rejected)
            // Leased to bob: nobody else gets it, or answers it, until the lease runs out.
            #expect(try await store.nextQA(for: Self.cat, share: 1, lease: 600, at: Self.now) == nil)
            await #expect(throws: CaseWorkflowError.self) {
                try await store.answerQA(caseID: first.id, outcome: .rejected, by: Self.cat, at: Self.now)
            }
            let answered = try await store.answerQA(caseID: first.id, outcome: .approved, by: Self.bob, at: Self.now)
            #expect(answered.agrees == false && answered.reviewer == "bob")
            let twice = await #expect(throws: CaseWorkflowError.self) {
                try await store.answerQA(caseID: first.id, outcome: .rejected, by: Self.bob, at: Self.now)
            }
            #expect(twice?.code == .badTransition)
            let second = try await Self.open(
                store, "two", ago: 600, worked: (Self.cat, 500, 400, .approve), rules: ["spam.link", "new.account"])
            let (next, _) = try #require(try await store.nextQA(for: Self.bob, share: 1, lease: 600, at: Self.now))
            #expect(next.caseID == second.id)
            _ = try await store.answerQA(caseID: second.id, outcome: .approved, by: Self.bob, at: Self.now)
            let agreement = try await store.qaAgreement()
            #expect(
                agreement.moderators == [
                    QAAgreement(name: "ann", reviewed: 1, agreed: 0), QAAgreement(name: "cat", reviewed: 1, agreed: 1),
                ])
            #expect(
                agreement.rules == [
                    QAAgreement(name: "new.account", reviewed: 1, agreed: 1),
                    QAAgreement(name: "spam.link", reviewed: 2, agreed: 1),
                ])
            await #expect(throws: CaseWorkflowError.self) {
                try await store.nextQA(
                    for: CaseStoreConformance.person(9, .contractor), share: 1, lease: 600, at: Self.now)
            }
        }
    }

    @Test func theStoreSamplesTheCasesTheHashNames() async throws {
        try await TestPostgres.withDatabase { database in
            let store = PostgresCaseStore(database: database)
            var ids: [Int64] = []
            for index in 0..<30 {
                ids.append(try await Self.open(store, "c\(index)", ago: 600, worked: (Self.ann, 500, 400, .reject)).id)
            }
            try await Self.open(store, "open", ago: 600)
            var handed: [Int64] = []
            while let (review, _) = try await store.nextQA(for: Self.bob, share: 0.3, lease: 600, at: Self.now) {
                handed.append(review.caseID)
                _ = try await store.answerQA(caseID: review.caseID, outcome: .rejected, by: Self.bob, at: Self.now)
            }
            #expect(!handed.isEmpty)
            #expect(handed == ids.filter { QASampling.isSampled(caseID: $0, share: 0.3) })
        }
    }
}
