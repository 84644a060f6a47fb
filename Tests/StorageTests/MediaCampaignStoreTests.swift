import ActivityPub
import Foundation
import HerdwatchTestSupport
import Reputation
import RuleEngine
import Testing

@Suite("Media clusters over every store")
struct MediaCampaignStoreTests {
    let start = Date(timeIntervalSince1970: 1_730_700_000)

    private func imagePost(actor: String, blurhash: String) throws -> Subject {
        let json = """
            {"type":"Create","actor":"\(actor)","object":{"type":"Note","content":"",
             "tag":[{"type":"Mention","href":"https://m.example/users/1"}],
             "attachment":[{"type":"Document","mediaType":"image/png","url":"\(actor)/m.png","blurhash":"\(blurhash)"}]}}
            """
        return Normalizer.subject(for: try Activity.decode(Array(json.utf8)))
    }

    /// Media clusters are stored in the campaign tables with their own signature: they are read back as media
    /// clusters, and a small cache that drops them reads them again.
    @Test(arguments: StoreKind.allCases)
    func mediaClustersSurviveANewProcessAndASmallCache(kind: StoreKind) throws {
        let (store, cleanup) = try kind.reputationStore()
        defer { cleanup() }
        let first = Reputation(store: store, configuration: .init(cacheCapacity: 2, flushInterval: 3))
        let hash = "UBL_:rOpGG-oBUNG,qRj2so|=eE1w^n4S5NH"
        for index in 0..<9 {
            try first.observe(
                try imagePost(actor: "https://q\(index % 3).example/users/u\(index)", blurhash: hash),
                verdict: verdict(.accept), signature: .verified, at: start.addingTimeInterval(Double(index)))
        }
        try first.flush()
        let second = Reputation(store: store)
        let next = try imagePost(actor: "https://q9.example/users/new", blurhash: hash)
        let signals = try second.signals(for: next, at: start.addingTimeInterval(600))
        #expect(signals.values["campaign.media_size"] == 10)
        #expect(signals.values["campaign.media_actors"] == 10)
        #expect(signals.values["campaign.media_domains"] == 4)
    }
}
