import Blocklists
import Foundation
import Testing

@Suite("Subscription settings")
struct SubscriptionSettingsTests {
    @Test(arguments: [
        ("Garden", "https://garden.example/list.csv", "subscription id"),
        ("garden", "ftp://garden.example/list.csv", "not an http(s) URL"),
        ("garden", "https:///list.csv", "not an http(s) URL"),
    ])
    func badSettingsAreRefusedNamingTheField(id: String, url: String, message: String) {
        #expect {
            try BlocklistSubscription(id: id, url: url).validated()
        } throws: { error in
            (error as? BlocklistError)?.code == .invalidSubscription && "\(error)".contains(message)
        }
    }

    @Test func weightIntervalAndKeysAreChecked() throws {
        #expect(throws: BlocklistError.self) { try BlocklistSubscription(id: "a", url: "https://a.example/", weight: -1).validated() }
        #expect(throws: BlocklistError.self) { try BlocklistSubscription(id: "a", url: "https://a.example/", interval: 5).validated() }
        #expect(throws: BlocklistError.self) {
            try BlocklistSubscription(id: "a", url: "https://a.example/", publicKeys: ["bm90IGEga2V5"]).validated()
        }
        let key = Data(repeating: 7, count: 32).base64EncodedString()
        let good = try BlocklistSubscription(id: "peer-1", url: "https://a.example/list.json", publicKeys: [key]).validated()
        #expect(good.publicKeys == [key])
    }

    @Test func theMergeSeesTheSubscriptionsTrust() {
        let subscription = BlocklistSubscription(
            id: "peer", url: "https://a.example/", weight: 0.5, severityCap: .silence, trustedReasons: [.spam])
        let source = subscription.source(entries: [DomainBlock(domain: "x.example")])
        #expect(source.id == "peer")
        #expect(source.weight == 0.5)
        #expect(source.severityCap == .silence)
        #expect(source.trustedReasons == [.spam])
        #expect(source.isSubscription)
        #expect(source.entries.map(\.domain) == ["x.example"])
    }
}
