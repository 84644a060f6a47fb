import ActivityPub
import Foundation
import HerdwatchTestSupport
import Reputation
import RuleEngine
import Testing

func subject(actor: String, text: String = "hello there", links: [String] = [], mentions: Int = 0) -> Subject {
    let anchors = links.map { "<a href='\($0)'>\($0)</a>" }.joined(separator: " ")
    let tags = (0..<mentions).map { #"{"type":"Mention","href":"https://m.example/users/\#($0)"}"# }.joined(separator: ",")
    let json = """
        {"id":"\(actor)/activities/\(UUID().uuidString)","type":"Create","actor":"\(actor)",
         "to":["https://www.w3.org/ns/activitystreams#Public"],
         "object":{"type":"Note","content":"<p>\(text) \(anchors)</p>","tag":[\(tags)]}}
        """
    let activity = try! Activity.decode(Array(json.utf8))
    return Normalizer.subject(for: activity)
}

func verdict(_ action: RuleAction, shadow: [String] = []) -> Verdict {
    Verdict(
        action: action, score: 0, hits: [],
        shadowHits: shadow.map { RuleHit(rule: $0, description: "", score: 1, action: nil, tags: [], evidence: []) },
        errors: [], rulesetVersion: "test")
}

@Suite("Reputation signals over every store")
struct ReputationBehaviourTests {
    let start = Date(timeIntervalSince1970: 1_700_000_040)

    @Test(arguments: StoreKind.allCases)
    func firstSeenAndHistoryFollowVerifiedObservations(kind: StoreKind) throws {
        let (store, cleanup) = try kind.reputationStore()
        defer { cleanup() }
        let reputation = Reputation(store: store)
        let alice = subject(actor: "https://social.example/users/alice")
        #expect(try reputation.signals(for: alice, at: start).values["actor.first_seen_hours"] == 0)
        try reputation.observe(alice, verdict: verdict(.accept), signature: .verified, at: start)
        try reputation.observe(alice, verdict: verdict(.hold), signature: .verified, at: start)
        let later = try reputation.signals(for: alice, at: start.addingTimeInterval(2 * 3_600))
        #expect(later.values["actor.first_seen_hours"] == 2)
        #expect(later.values["actor.activities_seen"] == 2)
        #expect(later.values["actor.accepted"] == 1)
        #expect(later.values["actor.held"] == 1)
        #expect(later.values["domain.actors_seen"] == 1)
        #expect(later.values["domain.held_ratio"] == 0.5)
    }

    @Test(arguments: StoreKind.allCases)
    func observationsOlderThanTheRetentionAreDeletedAndReputationStays(kind: StoreKind) throws {
        let (store, cleanup) = try kind.reputationStore()
        defer { cleanup() }
        let reputation = Reputation(store: store, configuration: Reputation.Configuration(observationRetention: 86_400))
        let alice = subject(actor: "https://social.example/users/alice")
        try reputation.observe(alice, verdict: verdict(.hold), signature: .verified, at: start)
        try reputation.observe(alice, verdict: verdict(.accept), signature: .verified, at: start.addingTimeInterval(3_600))
        try reputation.flush()
        #expect(try store.observations(limit: 10).count == 2, "both are within a day of the newest")
        try reputation.observe(alice, verdict: verdict(.accept), signature: .verified, at: start.addingTimeInterval(2 * 86_400))
        try reputation.flush()
        let kept = try store.observations(limit: 10)
        #expect(kept.map(\.at) == [start.addingTimeInterval(2 * 86_400)])
        // Only the per-activity record goes: the actor's history is reputation, and stays.
        let signals = try Reputation(store: store).signals(for: alice, at: start.addingTimeInterval(2 * 86_400))
        #expect(signals.values["actor.activities_seen"] == 3)
        #expect(signals.values["actor.held"] == 1)
    }

    /// Recording is the operator's choice: off records nothing (reputation itself is unchanged), a sample picks
    /// the same activities wherever it runs, and the budget keeps the newest.
    @Test(arguments: StoreKind.allCases)
    func theRecordIsKeptOnlyAsAskedAndWithinItsBudget(kind: StoreKind) throws {
        let alice = subject(actor: "https://social.example/users/alice")
        let posts = (0..<200).map { _ in subject(actor: "https://social.example/users/alice") }
        func recorded(_ recording: Reputation.Configuration.Recording, limit: Int? = nil) throws -> (Set<String>, Double?) {
            let (store, cleanup) = try kind.reputationStore()
            defer { cleanup() }
            let reputation = Reputation(
                store: store, configuration: Reputation.Configuration(recording: recording, recordLimit: limit))
            for (index, post) in posts.enumerated() {
                try reputation.observe(post, verdict: verdict(.accept), signature: .verified, at: start.addingTimeInterval(Double(index)))
            }
            try reputation.flush()
            let seen = try Reputation(store: store).signals(for: alice, at: start.addingTimeInterval(300))
            return (Set(try store.observations(limit: 1_000).compactMap(\.activityID)), seen.values["actor.activities_seen"])
        }
        let (none, seenWithoutRecord) = try recorded(.off)
        #expect(none.isEmpty)
        #expect(seenWithoutRecord == 200, "reputation does not depend on the record")
        let (all, _) = try recorded(.all)
        #expect(all.count == 200)
        let (sample, _) = try recorded(.sample(0.25))
        #expect(sample.count > 20 && sample.count < 80, "\(sample.count) of 200 recorded at 25 %")
        #expect(sample == Set(posts.compactMap(\.activityID).filter { Reputation.Configuration.Recording.sample(0.25).records($0) }))
        let (newest, _) = try recorded(.all, limit: 50)
        #expect(newest == Set(posts.suffix(50).compactMap(\.activityID)))
    }

    @Test(arguments: StoreKind.allCases)
    func unverifiedEvidenceLowersButNeverRaisesTrust(kind: StoreKind) throws {
        let (store, cleanup) = try kind.reputationStore()
        defer { cleanup() }
        let reputation = Reputation(store: store)
        let forged = subject(actor: "https://victim.example/users/bob")
        for status in [SignatureStatus.unsigned, .failed] {
            try reputation.observe(forged, verdict: verdict(.accept), signature: status, at: start)
            try reputation.observe(forged, verdict: verdict(.reject), signature: status, at: start)
        }
        let signals = try reputation.signals(for: forged, at: start.addingTimeInterval(86_400))
        #expect(signals.values["actor.first_seen_hours"] == 0, "unsigned traffic must not age an actor")
        #expect(signals.values["actor.activities_seen"] == 0)
        #expect(signals.values["actor.accepted"] == 0)
        #expect(signals.values["actor.rejected"] == 2)
        #expect(signals.values["domain.actors_seen"] == 1, "the actor still counts as new")
        #expect(signals.values["domain.held_ratio"] == 1)
    }

    @Test(arguments: StoreKind.allCases)
    func burstOfNewActorsFromOneDomain(kind: StoreKind) throws {
        let (store, cleanup) = try kind.reputationStore()
        defer { cleanup() }
        let reputation = Reputation(store: store)
        for index in 0..<30 {
            let spammer = subject(actor: "https://open.example/users/s\(index)")
            try reputation.observe(spammer, verdict: verdict(.accept), signature: .verified, at: start.addingTimeInterval(Double(index * 60)))
        }
        let next = subject(actor: "https://open.example/users/s30")
        let signals = try reputation.signals(for: next, at: start.addingTimeInterval(30 * 60))
        #expect(signals.values["domain.new_actors_1h"] == 31)
        #expect(signals.values["domain.new_actors_1d"] == 31)
        let twoHoursLater = try reputation.signals(for: next, at: start.addingTimeInterval(2 * 3_600 + 30 * 60))
        #expect(twoHoursLater.values["domain.new_actors_1h"] == 1)
        #expect(twoHoursLater.values["domain.new_actors_1d"] == 31)
        // Every account of open.example was met today: the whole domain is new.
        #expect(signals.values["domain.new_actors_share_1d"] == 1)
        let quiet = try reputation.signals(for: subject(actor: "https://quiet.example/users/q"), at: start)
        #expect(quiet.values["domain.new_actors_1h"] == 1)
        // Two days on, a 31st account: one new account of 31 known.
        let later = try reputation.signals(for: next, at: start.addingTimeInterval(2 * 86_400))
        #expect(later.values["domain.new_actors_1d"] == 1)
        #expect(abs((later.values["domain.new_actors_share_1d"] ?? 0) - 1.0 / 31) < 1e-9)
    }

    /// A Follow of `target` by `actor`, whose server says it was created at `published` (nil: undated).
    func follow(_ actor: String, _ target: String, published: Date?) -> Subject {
        let json = """
            {"id":"\(actor)#follows/\(UUID().uuidString)","type":"Follow","actor":"\(actor)","object":"\(target)"}
            """
        var follow = Normalizer.subject(for: try! Activity.decode(Array(json.utf8)))
        follow.actor = ActorProfile(id: actor, published: published)
        return follow
    }

    /// Issue 21, the 2019 mass follow (mastodon#11360): young accounts of one server following the same account
    /// within the hour. Old accounts, unverified deliveries and other targets do not count.
    @Test(arguments: StoreKind.allCases)
    func youngAccountsFollowingOneTargetAreCounted(kind: StoreKind) throws {
        let (store, cleanup) = try kind.reputationStore()
        defer { cleanup() }
        let reputation = Reputation(store: store)
        let target = "https://here.example/users/ann"
        let young = start.addingTimeInterval(-600)
        let old = start.addingTimeInterval(-400 * 86_400)
        for index in 0..<3 {
            try reputation.observe(
                follow("https://bots.example/users/b\(index)", target, published: young), verdict: verdict(.accept),
                signature: .verified, at: start.addingTimeInterval(Double(index * 60)))
        }
        // Undated accounts count as young; accounts years old, unverified deliveries and other targets do not.
        try reputation.observe(
            follow("https://bots.example/users/undated", target, published: nil), verdict: verdict(.accept),
            signature: .verified, at: start.addingTimeInterval(200))
        try reputation.observe(
            follow("https://bots.example/users/veteran", target, published: old), verdict: verdict(.accept),
            signature: .verified, at: start.addingTimeInterval(240))
        for index in 0..<5 {
            try reputation.observe(
                follow("https://bots.example/users/claimed\(index)", target, published: young),
                verdict: verdict(.accept), signature: .unsigned, at: start.addingTimeInterval(250))
        }
        try reputation.observe(
            follow("https://bots.example/users/b0", "https://here.example/users/bo", published: young),
            verdict: verdict(.accept), signature: .verified, at: start.addingTimeInterval(260))

        let next = follow("https://bots.example/users/b9", target, published: young)
        let soon = try reputation.signals(for: next, at: start.addingTimeInterval(300))
        #expect(soon.values["follows.young_same_target_1h"] == 5)  // three young, one undated, and this one
        let otherTarget = follow("https://bots.example/users/b9", "https://here.example/users/bo", published: young)
        #expect(try reputation.signals(for: otherTarget, at: start.addingTimeInterval(300)).values["follows.young_same_target_1h"] == 2)
        let otherDomain = follow("https://else.example/users/e", target, published: young)
        #expect(try reputation.signals(for: otherDomain, at: start.addingTimeInterval(300)).values["follows.young_same_target_1h"] == 1)
        let twoHoursLater = try reputation.signals(for: next, at: start.addingTimeInterval(2 * 3_600))
        #expect(twoHoursLater.values["follows.young_same_target_1h"] == 1)
        // Not a Follow: no value.
        #expect(try reputation.signals(for: subject(actor: "https://bots.example/users/b0"), at: start).values["follows.young_same_target_1h"] == nil)
    }

    @Test(arguments: StoreKind.allCases)
    func ratesSlideOverMinuteHourAndDay(kind: StoreKind) throws {
        let (store, cleanup) = try kind.reputationStore()
        defer { cleanup() }
        let reputation = Reputation(store: store)
        let poster = subject(actor: "https://busy.example/users/p", links: ["https://shop.example.co.uk/x"])
        for second in 0..<5 {
            try reputation.observe(poster, verdict: verdict(.accept), signature: .verified, at: start.addingTimeInterval(Double(second)))
        }
        let now = try reputation.signals(for: poster, at: start.addingTimeInterval(10))
        #expect(now.values["rate.actor_1m"] == 6)
        #expect(now.values["rate.domain_1h"] == 6)
        #expect(now.values["rate.link_domain_1h"] == 6)
        let later = try reputation.signals(for: poster, at: start.addingTimeInterval(120))
        #expect(later.values["rate.actor_1m"] == 1)
        #expect(later.values["rate.actor_1h"] == 6)
        let tomorrow = try reputation.signals(for: poster, at: start.addingTimeInterval(2 * 86_400))
        #expect(tomorrow.values["rate.actor_1d"] == 1)
    }

    @Test(arguments: StoreKind.allCases)
    func nearDuplicatesAcrossActorsFormACampaign(kind: StoreKind) throws {
        let (store, cleanup) = try kind.reputationStore()
        defer { cleanup() }
        let reputation = Reputation(store: store)
        let text = "Huge giveaway today only, send a message to our team to claim your reward before it ends"
        for index in 0..<6 {
            let post = subject(actor: "https://host\(index % 3).example/users/u\(index)", text: text + " 🎁 ref\(index)x", mentions: index)
            try reputation.observe(post, verdict: verdict(.accept), signature: .verified, at: start.addingTimeInterval(Double(index * 30)))
        }
        let next = subject(actor: "https://host9.example/users/new", text: text + " ✨")
        let signals = try reputation.signals(for: next, at: start.addingTimeInterval(600))
        #expect(signals.values["campaign.size"] == 7)
        #expect(signals.values["campaign.actors"] == 7)
        #expect(signals.values["campaign.domains"] == 4)
        #expect(signals.values["campaign.age_minutes"] == 10)
        let unrelated = subject(actor: "https://host9.example/users/new", text: "I finally finished reading the novel my sister gave me for my birthday last spring")
        #expect(try reputation.signals(for: unrelated, at: start.addingTimeInterval(600)).values["campaign.size"] == 1)
        let afterWindow = try reputation.signals(for: next, at: start.addingTimeInterval(3 * 86_400))
        #expect(afterWindow.values["campaign.size"] == 1)
    }

    @Test(arguments: StoreKind.allCases)
    func decisionsDecayWithTheirHalfLife(kind: StoreKind) throws {
        let (store, cleanup) = try kind.reputationStore()
        defer { cleanup() }
        let reputation = Reputation(store: store, configuration: .init(decisionHalfLife: 86_400))
        let spammer = subject(actor: "https://bad.example/users/x")
        try reputation.recordDecision(actorID: spammer.actorID!, host: "bad.example", spam: true, at: start)
        try reputation.recordDecision(actorID: spammer.actorID!, host: "bad.example", spam: true, at: start)
        try reputation.recordDecision(actorID: "https://bad.example/users/y", host: "bad.example", spam: false, at: start)
        let signals = try reputation.signals(for: spammer, at: start.addingTimeInterval(86_400))
        #expect(signals.values["actor.confirmed_spam"] == 1)
        #expect(abs((signals.values["domain.spam_ratio"] ?? 0) - 2.0 / 3.0) < 1e-9)
    }

    @Test(arguments: StoreKind.allCases)
    func stateSurvivesAFlushAndANewProcessAndASmallCache(kind: StoreKind) throws {
        let (store, cleanup) = try kind.reputationStore()
        defer { cleanup() }
        let first = Reputation(store: store, configuration: .init(cacheCapacity: 10, flushInterval: 25))
        for index in 0..<200 {
            try first.observe(
                subject(actor: "https://many.example/users/u\(index)"), verdict: verdict(.hold, shadow: ["shadow.x"]),
                signature: .verified, at: start)
        }
        try first.flush()
        try first.setLabel(LabelRecord(scope: .domain, key: "many.example", label: "wave", expiresAt: start.addingTimeInterval(3_600)))
        let second = Reputation(store: store)
        let again = try second.signals(for: subject(actor: "https://many.example/users/u7"), at: start.addingTimeInterval(60))
        #expect(again.values["actor.held"] == 1)
        #expect(again.values["domain.actors_seen"] == 200)
        #expect(again.values["domain.new_actors_1h"] == 200)
        #expect(again.value(of: "domain.label.wave", for: subject(actor: "x")) == 1)
        let expired = try second.signals(for: subject(actor: "https://many.example/users/u7"), at: start.addingTimeInterval(7_200))
        #expect(expired.value(of: "domain.label.wave", for: subject(actor: "x")) == 0)
        let shadow = try store.shadowHits(sinceDay: 0)
        #expect(shadow.evaluated == 200)
        #expect(shadow.hits == ["shadow.x": 200])
        #expect(try store.observations(limit: 1).first?.body == nil)
    }

    @Test(arguments: StoreKind.allCases)
    func rulesLabelActorsForAWhile(kind: StoreKind) throws {
        let (store, cleanup) = try kind.reputationStore()
        defer { cleanup() }
        let reputation = Reputation(store: store)
        let poster = subject(actor: "https://open.example/users/x")
        let hit = RuleHit(
            rule: "r", description: "", score: 5, action: nil, tags: [], evidence: [],
            labels: [RuleLabel(scope: .actor, name: "campaign", hours: 72), RuleLabel(scope: .domain, name: "busy", hours: nil)])
        let labelled = Verdict(action: .flag, score: 5, hits: [hit], shadowHits: [], errors: [], rulesetVersion: "t")
        try reputation.observe(poster, verdict: labelled, signature: .verified, at: start)
        try reputation.flush()
        let fresh = Reputation(store: store)
        let soon = try fresh.signals(for: poster, at: start.addingTimeInterval(3_600))
        #expect(soon.value(of: "actor.label.campaign", for: poster) == 1)
        #expect(soon.value(of: "domain.label.busy", for: poster) == 1)
        #expect(soon.value(of: "actor.label.other", for: poster) == 0)
        let later = try fresh.signals(for: poster, at: start.addingTimeInterval(73 * 3_600))
        #expect(later.value(of: "actor.label.campaign", for: poster) == 0)
        #expect(later.value(of: "domain.label.busy", for: poster) == 1)
    }

    @Test(arguments: StoreKind.allCases)
    func batchedPrefetchGivesTheSameSignals(kind: StoreKind) throws {
        let (plainStore, cleanPlain) = try kind.reputationStore()
        let (batchedStore, cleanBatched) = try kind.reputationStore()
        defer {
            cleanPlain()
            cleanBatched()
        }
        // A small cache and frequent flushes, so batches straddle flushes and evictions.
        let configuration = Reputation.Configuration(cacheCapacity: 5, flushInterval: 4)
        let plain = Reputation(store: plainStore, configuration: configuration)
        let batched = Reputation(store: batchedStore, configuration: configuration)
        let text = "Limited offer for the whole fediverse, join our server today and get verified instantly"
        var subjects: [Subject] = []
        for index in 0..<60 {
            let body: String = index % 3 == 0 ? text : "post \(index) " + String(text.dropFirst(index))
            let links: [String] = index % 5 == 0 ? ["https://shop\(index % 2).example/x"] : []
            subjects.append(
                subject(actor: "https://host\(index % 4).example/users/u\(index % 9)", text: body, links: links, mentions: index % 4))
        }
        for first in stride(from: 0, to: subjects.count, by: 7) {
            let batch = Array(subjects[first..<min(first + 7, subjects.count)])
            try batched.prefetch(batch)
            for (offset, subject) in batch.enumerated() {
                let at = start.addingTimeInterval(Double((first + offset) * 40))
                let expected = try plain.signals(for: subject, at: at)
                let actual = try batched.signals(for: subject, at: at)
                #expect(actual.values == expected.values)
                #expect(actual.labels == expected.labels)
                try plain.observe(subject, verdict: verdict(.accept), signature: .verified, at: at)
                try batched.observe(subject, verdict: verdict(.accept), signature: .verified, at: at)
            }
        }
    }
}
