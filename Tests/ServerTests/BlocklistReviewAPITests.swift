import Access
import Blocklists
import Configuration
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Intake
import NIOCore
import Testing

@testable import HerdwatchServer

/// `/herdwatch/api/v1/blocklist/…`: drafts, apply, dismiss, batches, undo, and the gate after an apply.
@Suite("Blocklist review API")
struct BlocklistReviewAPITests {
    struct Reply {
        var status: HTTPResponse.Status
        var object: [String: Any]
    }

    func call(
        _ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, token: String,
        json: String? = nil
    ) async throws -> Reply {
        var headers: HTTPFields = [.authorization: "Bearer \(token)"]
        if json != nil { headers[.contentType] = "application/json" }
        let response = try await client.execute(
            uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
        return Reply(status: response.status, object: try ServerTests.json(String(buffer: response.body)))
    }

    /// A server whose store has subscriptions `a` and `b` with `a`'s and `b`'s entries.
    func server(
        _ values: [AbsoluteConfigKey: ConfigValue] = [:], applied: [DomainBlock] = [], a: [DomainBlock],
        b: [DomainBlock] = []
    ) async throws -> (TestServer, InMemoryBlocklistStore) {
        let server = try TestServer(values: values)
        let store = try #require(server.components.blocklist.store as? InMemoryBlocklistStore)
        for block in applied { try await store.save(block) }
        for (id, entries) in [("a", a), ("b", b)] {
            try await store.saveSubscription(BlocklistSubscription(id: id, url: "https://\(id).example/list.csv"))
            try await store.saveSubscriptionEntries(id: id, entries)
        }
        try await server.components.blocklist.refresh()
        return (server, store)
    }

    @Test func listApplyAndUndoThroughTheAPIAndTheGateFollows() async throws {
        let (server, store) = try await server(
            a: [
                DomainBlock(domain: "spam.example", publicComment: "spam <b>", reasons: [.spam]),
                DomainBlock(domain: "rude.example", severity: .silence),
            ])
        let admin = try await server.token([.adminRead, .adminWrite])
        _ = store
        let app = HerdwatchApplication.make(server.components)
        try await app.test(.router) { client in
            let drafts = try await call(client, .get, "/herdwatch/api/v1/blocklist/drafts", token: admin)
            #expect(drafts.status == .ok)
            let additions = try #require(drafts.object["additions"] as? [[String: Any]])
            #expect(additions.map { $0["domain"] as? String } == ["rude.example", "spam.example"])
            let spam = additions[1]
            #expect(spam["proposed"] as? String == "suspend")
            #expect(spam["supporters"] as? [String] == ["a"])
            #expect((spam["support"] as? [[String: Any]])?.first?["public_comment"] as? String == "spam <b>")
            #expect((spam["impact"] as? [String: Any])?["actors"] as? Int == 0)
            #expect(spam["held"] as? Bool == false)

            let applied = try await call(
                client, .post, "/herdwatch/api/v1/blocklist/drafts/apply", token: admin,
                json: #"{"domains": ["spam.example"]}"#)
            #expect(applied.status == .created)
            let id = try #require(applied.object["id"] as? Int)
            #expect(applied.object["via"] as? String == "api")
            #expect((applied.object["items"] as? [[String: Any]])?.first?["after"] as? String == "suspend")
            #expect(server.components.blocklist.status(of: "www.spam.example").block?.severity == .suspend)

            let batches = try await call(client, .get, "/herdwatch/api/v1/blocklist/batches", token: admin)
            #expect((batches.object["batches"] as? [[String: Any]])?.map { $0["id"] as? Int } == [id])

            let undo = try await call(client, .post, "/herdwatch/api/v1/blocklist/batches/\(id)/undo", token: admin)
            #expect(undo.status == .created)
            #expect(undo.object["undoes"] as? Int == id)
            #expect(server.components.blocklist.status(of: "spam.example").block == nil)
            let again = try await call(client, .post, "/herdwatch/api/v1/blocklist/batches/\(id)/undo", token: admin)
            #expect(again.status == .conflict)
            #expect(again.object["code"] as? String == "changed")
            #expect((again.object["error"] as? String)?.contains("spam.example") == true)

            let dismissed = try await call(
                client, .post, "/herdwatch/api/v1/blocklist/drafts/dismiss", token: admin,
                json: #"{"domains": ["rude.example"]}"#)
            #expect(dismissed.status == .ok)
            let left = try await call(client, .get, "/herdwatch/api/v1/blocklist/drafts", token: admin)
            #expect((left.object["additions"] as? [[String: Any]])?.map { $0["domain"] as? String } == ["spam.example"])

            let unknown = try await call(
                client, .post, "/herdwatch/api/v1/blocklist/drafts/apply", token: admin,
                json: #"{"domains": ["rude.example"]}"#)
            #expect(unknown.status == .notFound)
            let group = try await call(
                client, .post, "/herdwatch/api/v1/blocklist/drafts/apply", token: admin, json: #"{"groups": ["bogus"]}"#
            )
            #expect(group.status == .unprocessableContent)
            let missing = try await call(client, .post, "/herdwatch/api/v1/blocklist/batches/999/undo", token: admin)
            #expect(missing.status == .notFound)
        }
    }

    @Test func aHeldMassRetractionNeedsTheConfirmation() async throws {
        let owned = (1...4).map {
            DomainBlock(domain: "d\($0).example", provenance: BlockProvenance(origin: .subscription("a")))
        }
        let (server, store) = try await server(applied: owned, a: [owned[0]])
        let admin = try await server.token([.adminRead, .adminWrite])
        let app = HerdwatchApplication.make(server.components)
        try await app.test(.router) { client in
            let drafts = try await call(client, .get, "/herdwatch/api/v1/blocklist/drafts", token: admin)
            let retractions = try #require(drafts.object["retractions"] as? [[String: Any]])
            #expect(retractions.map { $0["held"] as? Bool } == [true, true, true])
            #expect(retractions.first?["owner"] as? String == "a")
            let refused = try await call(
                client, .post, "/herdwatch/api/v1/blocklist/drafts/apply", token: admin, json: #"{"all": true}"#)
            #expect(refused.status == .conflict)
            #expect(refused.object["code"] as? String == "mass_retraction")
            #expect(try await store.block(domain: "d2.example")?.state == .active)
            let confirmed = try await call(
                client, .post, "/herdwatch/api/v1/blocklist/drafts/apply", token: admin,
                json: #"{"groups": ["retraction"], "confirm_mass_retraction": true}"#)
            #expect(confirmed.status == .created)
            #expect(try await store.block(domain: "d2.example")?.state == .retracted)
            #expect(server.components.blocklist.status(of: "d2.example").block == nil)
            #expect(server.components.blocklist.status(of: "d1.example").block != nil)
        }
    }

    @Test func mergeSettingsComeFromTheConfiguration() async throws {
        let values: [AbsoluteConfigKey: ConfigValue] = [
            "blocklist.merge.threshold": 2.0, "blocklist.merge.plan": "min",
            "blocklist.merge.allowlist": .init(.stringArray(["allowed.example"]), isSecret: false),
            "blocklist.merge.massRetractionShare": 0.5,
        ]
        let (server, _) = try await server(
            values,
            a: [
                DomainBlock(domain: "both.example"), DomainBlock(domain: "one.example"),
                DomainBlock(domain: "allowed.example"),
            ],
            b: [DomainBlock(domain: "both.example", severity: .silence), DomainBlock(domain: "allowed.example")])
        #expect(server.components.configuration.blocklistReview.massRetractionShare == 0.5)
        let review = try #require(HerdwatchApplication.blocklistReview(server.components))
        let drafts = try await review.drafts()
        #expect(drafts.additions.map(\.domain) == ["both.example"])
        #expect(drafts.additions.first?.draft.proposed?.severity == .silence)
        #expect(throws: ServerConfigurationError.self) {
            try ServerConfiguration(
                reader: ConfigReader(provider: InMemoryProvider(values: ["blocklist.merge.thresholdType": "most"])))
        }
        #expect(throws: ServerConfigurationError.self) {
            try ServerConfiguration(
                reader: ConfigReader(provider: InMemoryProvider(values: ["blocklist.merge.massRetractionShare": 1.5])))
        }
        #expect {
            try ServerConfiguration(
                reader: ConfigReader(
                    provider: InMemoryProvider(values: ["blocklist.merge.ownDomain": "not a domain!"])))
        } throws: { error in
            (error as? ServerConfigurationError)?.key == "blocklist.merge.ownDomain"
        }
    }

    @Test func impactCountsActorsAndCasesOfTheDomainAndItsSubdomains() async throws {
        let (server, _) = try await server(a: [DomainBlock(domain: "bad.example")])
        let check = try await server.token([.check])
        let app = HerdwatchApplication.make(server.components)
        try await app.test(.router) { client in
            for (host, user) in [("bad.example", "alice"), ("social.bad.example", "bob"), ("good.example", "carol")] {
                let actor = try RemoteActor(id: "https://\(host)/users/\(user)")
                let response = try await client.execute(
                    uri: "/api/v1/check", method: .post, headers: [.authorization: "Bearer \(check)"],
                    body: ByteBuffer(string: actor.note("FLAGME \(UUID())")))
                #expect(response.status == .ok)
            }
        }
        let review = try #require(HerdwatchApplication.blocklistReview(server.components))
        let impact = try #require(try await review.drafts().additions.first?.impact)
        #expect(impact == DomainImpact(actors: 2, heldCases: 0, flaggedCases: 2))
    }
}
