import Foundation
import GRDB
import HerdwatchTestSupport
import Reputation
import RuleEngine
import Testing

@testable import Storage

/// Issue 22: memory is bounded by configuration (`reputation.cacheMiB`), not by traffic.
@Suite("Reputation cache budget")
struct ReputationCacheBudgetTests {
    let start = Date(timeIntervalSince1970: 1_700_000_040)

    @Test(arguments: StoreKind.allCases)
    func theCacheStaysWithinItsByteBudgetAndAnEvictedActorComesBackWhole(kind: StoreKind) throws {
        let (store, cleanup) = try kind.reputationStore()
        defer { cleanup() }
        let budget = 256 << 10
        // The entry-count bound far away: only the byte budget evicts.
        let configuration = Reputation.Configuration(cacheCapacity: 1_000_000, flushInterval: 50, cacheBytes: budget)
        let reputation = Reputation(store: store, configuration: configuration)
        let first = subject(actor: "https://old.example/users/first")
        try reputation.observe(first, verdict: verdict(.accept), signature: .verified, at: start)
        try reputation.observe(first, verdict: verdict(.hold), signature: .verified, at: start.addingTimeInterval(60))
        var highest = 0
        for index in 0..<3_000 {
            try reputation.observe(
                subject(
                    actor: "https://many\(index % 40).example/users/u\(index)",
                    text: "post number \(index) about \(index * 7)"),
                verdict: verdict(.accept), signature: .verified, at: start.addingTimeInterval(120 + Double(index)))
            highest = max(highest, reputation.cacheBytes)
        }
        // Between flushes the cache grows by at most one batch of 50 activities; each flush brings it back.
        #expect(highest < budget + 50 * 4_096, "the estimate peaked at \(highest) bytes")
        #expect(highest > budget / 2, "the stream filled the cache (peak \(highest) bytes), so eviction was exercised")
        try reputation.flush()
        #expect(reputation.cacheBytes <= budget)
        // `first` left the cache long ago; its record comes back from the store with its history.
        let later = try reputation.signals(for: first, at: start.addingTimeInterval(2 * 3_600))
        #expect(later.values["actor.activities_seen"] == 2)
        #expect(later.values["actor.accepted"] == 1)
        #expect(later.values["actor.held"] == 1)
        #expect(later.values["actor.first_seen_hours"] == 2)
    }

    @Test
    func aLongCampaignIndexesABoundedNumberOfBands() throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(at: path) }
        let database = try SQLiteDatabase(path: path)
        let store = SQLiteReputationStore(database: database)
        let reputation = Reputation(store: store, configuration: .init(flushInterval: 100))
        let text = "Limited offer for everyone in the fediverse join our new server today and get verified instantly"
        // Near-duplicates that differ in a word or two: most bring bands no earlier post had.
        for index in 0..<2_000 {
            let post = subject(
                actor: "https://spam\(index % 7).example/users/s\(index)", text: "\(text) code\(index) x\(index * 31)")
            let signals = try reputation.signals(for: post, at: start.addingTimeInterval(Double(index)))
            try reputation.observe(
                post, verdict: verdict(.accept), signature: .verified, at: start.addingTimeInterval(Double(index)))
            if index == 1_999 {
                #expect(signals.values["campaign.size"] ?? 0 > 1_500, "the posts still join one campaign")
            }
        }
        try reputation.flush()
        let bands = try database.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM campaign_band") ?? 0
        }
        #expect(bands <= 4_000, "at most the cap (\(bands) bands)")
        #expect(bands > 3_000, "the campaign reached the cap (\(bands) bands)")
    }
}
