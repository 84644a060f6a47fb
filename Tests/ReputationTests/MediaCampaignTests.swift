import ActivityPub
import Foundation
import Reputation
import RuleEngine
import Testing

/// Media clusters: one image (the same blurhash, or the same stated file digest) posted from many accounts.
@Suite("Media campaigns")
struct MediaCampaignTests {
    let start = Date(timeIntervalSince1970: 1_730_700_000)
    static let qrHash = "UBL_:rOpGG-oBUNG,qRj2so|=eE1w^n4S5NH"
    static let otherHash = "LEHV6nWB2yk8pyo0adR*.7kCMdnj"

    private func post(
        actor: String, content: String = "", blurhashes: [String] = [], digests: [String] = [], mentions: Int = 3
    ) throws -> Subject {
        let handles = (0..<mentions).map { "https://m.example/users/\($0)" }
        var attachments: [JSONValue] = blurhashes.map { hash in
            .object([
                "type": .string("Document"), "mediaType": .string("image/png"), "blurhash": .string(hash),
                "url": .string("\(actor)/media/\(UUID().uuidString).png"),
            ])
        }
        attachments += digests.map { digest in
            .object([
                "type": .string("Image"), "digestMultibase": .string(digest),
                "url": .string("\(actor)/media/\(UUID().uuidString).png"),
            ])
        }
        let activity = try Activity(
            json: .object([
                "type": .string("Create"), "actor": .string(actor),
                "object": .object([
                    "type": .string("Note"), "content": .string(content),
                    "tag": .array(handles.map { .object(["type": .string("Mention"), "href": .string($0)]) }),
                    "attachment": .array(attachments),
                ]),
            ]))
        return Normalizer.subject(for: activity)
    }

    private func accept() -> Verdict {
        Verdict(action: .accept, score: 0, hits: [], shadowHits: [], errors: [], rulesetVersion: "test")
    }

    @Test func oneImageFromManyFreshAccountsFormsAMediaCluster() throws {
        let reputation = Reputation(store: InMemoryReputationStore())
        for index in 0..<6 {
            let wave = try post(actor: "https://open\(index % 3).example/users/r\(index)", blurhashes: [Self.qrHash])
            try reputation.observe(
                wave, verdict: accept(), signature: .verified, at: start.addingTimeInterval(Double(index * 60)))
        }
        let next = try post(actor: "https://open9.example/users/new", blurhashes: [Self.qrHash])
        let signals = try reputation.signals(for: next, at: start.addingTimeInterval(600))
        #expect(signals.values["campaign.media_size"] == 7)
        #expect(signals.values["campaign.media_actors"] == 7)
        #expect(signals.values["campaign.media_domains"] == 4)
        // Image-only posts have no text to fingerprint: the text campaign says nothing.
        #expect(signals.values["campaign.size"] == nil)

        let other = try post(actor: "https://open9.example/users/new", blurhashes: [Self.otherHash])
        #expect(
            try reputation.signals(for: other, at: start.addingTimeInterval(600)).values["campaign.media_size"] == 1)
        let noMedia = try post(actor: "https://open9.example/users/new")
        #expect(
            try reputation.signals(for: noMedia, at: start.addingTimeInterval(600)).values["campaign.media_size"] == nil
        )
        let afterWindow = try reputation.signals(for: next, at: start.addingTimeInterval(3 * 86_400))
        #expect(afterWindow.values["campaign.media_size"] == 1)
    }

    @Test func oneArtistPostingTheirImageAgainStaysOneActor() throws {
        let reputation = Reputation(store: InMemoryReputationStore())
        for index in 0..<4 {
            let repost = try post(actor: "https://art.example/users/painter", blurhashes: [Self.otherHash], mentions: 0)
            try reputation.observe(
                repost, verdict: accept(), signature: .verified, at: start.addingTimeInterval(Double(index * 3_600)))
        }
        let again = try post(actor: "https://art.example/users/painter", blurhashes: [Self.otherHash], mentions: 0)
        let signals = try reputation.signals(for: again, at: start.addingTimeInterval(5 * 3_600))
        #expect(signals.values["campaign.media_size"] == 5)
        #expect(signals.values["campaign.media_actors"] == 1)
        #expect(signals.values["campaign.media_domains"] == 1)
    }

    @Test func statedDigestsClusterWithoutABlurhashAndAnySharedImageJoins() throws {
        let reputation = Reputation(store: InMemoryReputationStore())
        let digest = "zQmWvQxTqbG2Z9HPJgG57jjwR154cKhbtJenbyYTWkjgF3e"
        for index in 0..<3 {
            let wave = try post(actor: "https://d\(index).example/users/u", digests: [digest])
            try reputation.observe(wave, verdict: accept(), signature: .verified, at: start)
        }
        // A post with two images, one of them the wave's, belongs to the wave's cluster.
        let mixed = try post(actor: "https://d9.example/users/u", blurhashes: [Self.otherHash], digests: [digest])
        #expect(try reputation.signals(for: mixed, at: start.addingTimeInterval(60)).values["campaign.media_size"] == 4)
        // A digest and a blurhash with equal text are different keys.
        let lookalike = try post(actor: "https://d9.example/users/u", blurhashes: [Self.qrHash])
        #expect(
            try reputation.signals(for: lookalike, at: start.addingTimeInterval(60)).values["campaign.media_size"] == 1)
    }

    @Test func textAndMediaClustersAreSeparate() throws {
        let reputation = Reputation(store: InMemoryReputationStore())
        let text = "Huge giveaway today only, send a message to our team to claim your reward before it ends"
        for index in 0..<5 {
            let wave = try post(
                actor: "https://t\(index).example/users/u", content: "<p>\(text)</p>", blurhashes: [Self.qrHash])
            try reputation.observe(wave, verdict: accept(), signature: .verified, at: start)
        }
        let sameTextOtherImage = try post(
            actor: "https://t9.example/users/u", content: "<p>\(text)</p>", blurhashes: [Self.otherHash])
        let signals = try reputation.signals(for: sameTextOtherImage, at: start.addingTimeInterval(60))
        #expect(signals.values["campaign.size"] == 6)
        #expect(signals.values["campaign.media_size"] == 1)
        let sameImageOtherText = try post(
            actor: "https://t9.example/users/u",
            content: "<p>I finally finished reading the novel my sister gave me for my birthday last spring</p>",
            blurhashes: [Self.qrHash])
        let other = try reputation.signals(for: sameImageOtherText, at: start.addingTimeInterval(60))
        #expect(other.values["campaign.size"] == 1)
        #expect(other.values["campaign.media_size"] == 6)
    }

    @Test func mediaClustersOutliveTheProcessThroughTheStore() throws {
        let store = InMemoryReputationStore()
        let first = Reputation(store: store)
        for index in 0..<4 {
            let wave = try post(actor: "https://p\(index).example/users/u", blurhashes: [Self.qrHash])
            try first.observe(wave, verdict: accept(), signature: .verified, at: start)
        }
        try first.flush()
        let second = Reputation(store: store)
        let next = try post(actor: "https://p9.example/users/u", blurhashes: [Self.qrHash])
        let signals = try second.signals(for: next, at: start.addingTimeInterval(600))
        #expect(signals.values["campaign.media_size"] == 5)
        #expect(signals.values["campaign.media_domains"] == 5)
    }
}
