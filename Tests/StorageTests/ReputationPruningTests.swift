import Foundation
import HerdwatchTestSupport
import Reputation
import RuleEngine
import Storage
import Testing

/// Issue 22: the store keeps what a feature reads. Stale rows (spent counters, expired labels, actors with no
/// decision unseen for the retention) go, in bounded sweeps; everything else stays.
@Suite("Reputation pruning")
struct ReputationPruningTests {
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    /// Actors, counters and labels of every kind: which ones are stale is in their names.
    func fill(_ store: any ReputationStore) throws {
        var changes = ReputationChanges()
        let old = now.addingTimeInterval(-40 * 86_400)
        for index in 0..<6 {
            changes.actors.append(
                ActorRecord(id: "https://a.example/users/stale\(index)", host: "a.example", lastSeen: old))
            var spammer = ActorRecord(id: "https://a.example/users/spam\(index)", host: "a.example", lastSeen: old)
            spammer.confirmedSpam = DecayingCount(value: 1, updatedAt: old)
            var liked = ActorRecord(id: "https://a.example/users/ham\(index)", host: "a.example", lastSeen: old)
            liked.confirmedHam = DecayingCount(value: 1, updatedAt: old)
            var recent = ActorRecord(id: "https://a.example/users/recent\(index)", host: "a.example", lastSeen: now)
            recent.activitiesSeen = 1
            changes.actors += [spammer, liked, recent]
            var spent = WindowedCounter()
            spent.add(at: now.addingTimeInterval(-2 * 86_400))
            var live = WindowedCounter()
            live.add(at: now.addingTimeInterval(-86_400 + 3_600))
            changes.counters += [("actor:spent\(index)", spent), ("actor:live\(index)", live)]
            changes.labels += [
                LabelRecord(scope: .actor, key: "expired\(index)", label: "x", expiresAt: now.addingTimeInterval(-1)),
                LabelRecord(scope: .actor, key: "valid\(index)", label: "x", expiresAt: now.addingTimeInterval(60)),
                LabelRecord(scope: .domain, key: "forever\(index)", label: "x", expiresAt: nil),
            ]
        }
        try store.apply(changes)
    }

    func pruneOnce(_ store: any ReputationStore) throws {
        var changes = ReputationChanges()
        changes.pruning = ReputationPruning(now: now, actorsSeenBefore: now.addingTimeInterval(-30 * 86_400))
        try store.apply(changes)
    }

    /// Which of the rows `fill` wrote the store still holds, by the prefix of their names.
    func remaining(_ store: any ReputationStore) throws -> [String: Int] {
        let actors = try store.actors(
            (0..<6).flatMap { index in
                ["stale", "spam", "ham", "recent"].map { "https://a.example/users/\($0)\(index)" }
            })
        let counters = try store.counters((0..<6).flatMap { ["actor:spent\($0)", "actor:live\($0)"] })
        var found: [String: Int] = [:]
        for id in actors.keys {
            let name = id.split(separator: "/").last!.filter(\.isLetter)
            found["actor." + name, default: 0] += 1
        }
        for key in counters.keys {
            found["counter." + key.dropFirst("actor:".count).filter(\.isLetter), default: 0] += 1
        }
        for index in 0..<6 {
            for (scope, kind) in [(LabelRecord.Scope.actor, "expired"), (.actor, "valid"), (.domain, "forever")]
            where try !store.labels(scope: scope, key: "\(kind)\(index)").isEmpty {
                found["label." + kind, default: 0] += 1
            }
        }
        return found
    }

    static let kept = [
        "actor.spam": 6, "actor.ham": 6, "actor.recent": 6, "counter.live": 6, "label.valid": 6, "label.forever": 6,
    ]

    @Test(arguments: StoreKind.allCases)
    func onlyStaleRowsWithoutHistoryArePruned(kind: StoreKind) throws {
        let (store, cleanup) = try kind.reputationStore()
        defer { cleanup() }
        try fill(store)
        #expect(try remaining(store)["actor.stale"] == 6)
        // A batch without pruning deletes nothing.
        try store.apply(ReputationChanges())
        #expect(try remaining(store).count == 9)
        // The SQLite store sweeps 5,000 rows of each table per batch: these few go in one.
        try pruneOnce(store)
        #expect(try remaining(store) == Self.kept)
    }

    @Test
    func theSQLiteSweepLooksAtABoundedSliceOfEachTablePerBatch() throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(at: path) }
        let store = SQLiteReputationStore(database: try SQLiteDatabase(path: path), rowsSweptPerBatch: 4)
        try fill(store)
        // 24 actors, 12 counters and 18 labels, four of each looked at per batch: each batch deletes some, never
        // more than four of a table, and after one round (six batches) every stale row is gone.
        var previous = try remaining(store)
        for _ in 0..<6 {
            try pruneOnce(store)
            let now = try remaining(store)
            #expect(previous["actor.stale", default: 0] - now["actor.stale", default: 0] <= 4)
            #expect(previous["counter.spent", default: 0] - now["counter.spent", default: 0] <= 4)
            #expect(previous["label.expired", default: 0] - now["label.expired", default: 0] <= 4)
            previous = now
        }
        #expect(previous == Self.kept)
    }

    @Test(arguments: StoreKind.allCases)
    func anActorUnseenForTheRetentionCountsAsNewAgainUnlessADecisionWasMade(kind: StoreKind) throws {
        let (store, cleanup) = try kind.reputationStore()
        defer { cleanup() }
        let configuration = Reputation.Configuration(actorRetention: 7 * 86_400)
        let reputation = Reputation(store: store, configuration: configuration)
        let quiet = subject(actor: "https://q.example/users/quiet")
        let judged = subject(actor: "https://q.example/users/judged")
        let start = now.addingTimeInterval(-10 * 86_400)
        try reputation.observe(quiet, verdict: verdict(.accept), signature: .verified, at: start)
        try reputation.observe(judged, verdict: verdict(.accept), signature: .verified, at: start)
        try reputation.recordDecision(
            actorID: "https://q.example/users/judged", host: "q.example", spam: true, at: start)
        try reputation.flush()
        // Ten days on, another actor's activity: the batch it is written in prunes.
        try reputation.observe(
            subject(actor: "https://q.example/users/other"), verdict: verdict(.accept), signature: .verified, at: now)
        try reputation.flush()
        #expect(try store.actors(["https://q.example/users/quiet"]).isEmpty)
        let fresh = Reputation(store: store, configuration: configuration)
        #expect(try fresh.signals(for: quiet, at: now).values["actor.activities_seen"] == 0)
        let kept = try fresh.signals(for: judged, at: now)
        #expect(kept.values["actor.activities_seen"] == 1)
        #expect(kept.values["actor.confirmed_spam"] ?? 0 > 0)
        // Within the retention, nothing goes.
        let keeping = Reputation(store: store, configuration: Reputation.Configuration(actorRetention: 30 * 86_400))
        try keeping.observe(quiet, verdict: verdict(.accept), signature: .verified, at: now)
        try keeping.observe(
            subject(actor: "https://q.example/users/other"), verdict: verdict(.accept), signature: .verified,
            at: now.addingTimeInterval(20 * 86_400))
        try keeping.flush()
        #expect(try store.actors(["https://q.example/users/quiet"]).count == 1)
    }
}
