import Access
import Blocklists
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Intake
import Testing

@testable import HerdwatchServer

/// `/herdwatch/blocklists`: drafts with provenance and impact, approve and dismiss, held retractions, undo.
@Suite("Blocklists page")
struct BlocklistsPageTests {
    func server(applied: [DomainBlock] = [], entries: [DomainBlock]) async throws -> (
        TestServer, InMemoryBlocklistStore
    ) {
        let server = try TestServer()
        let store = try #require(server.components.blocklist.store as? InMemoryBlocklistStore)
        for block in applied { try await store.save(block) }
        try await store.saveSubscription(BlocklistSubscription(id: "garden", url: "https://garden.example/list.csv"))
        try await store.saveSubscriptionEntries(id: "garden", entries)
        return (server, store)
    }

    @Test func aLeadApprovesDismissesAndUndoesWithCommentsAsText() async throws {
        let (server, store) = try await server(entries: [
            DomainBlock(domain: "spam.example", publicComment: "<script>alert(1)</script> spam"),
            DomainBlock(domain: "rude.example", severity: .silence),
        ])
        _ = try await server.account("lena", role: .lead)
        let app = HerdwatchApplication.make(server.components)
        try await app.test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, username: "lena", password: "correct horse battery")
            let page = try await browser.send(client, "/herdwatch/blocklists")
            #expect(page.status == .ok)
            let html = String(buffer: page.body)
            #expect(html.contains("href=\"/herdwatch/blocklists\""))
            #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; spam"))
            #expect(!html.contains("<script>alert"))
            #expect(html.contains("Additions (2)"))
            #expect(html.contains("0 actors, 0 held, 0 flagged"))
            #expect(page.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
            let csrf = try #require(Browser.hidden("csrf", in: html))

            let forged = try await browser.send(
                client, "/herdwatch/blocklists/apply", method: .post, form: ["csrf": "x", "domain": "spam.example"])
            #expect(forged.status == .forbidden)
            #expect(try await store.block(domain: "spam.example") == nil)

            let approved = try await browser.send(
                client, "/herdwatch/blocklists/apply", method: .post, form: ["csrf": csrf, "domain": "spam.example"])
            #expect(approved.status == .seeOther)
            #expect(server.components.blocklist.status(of: "spam.example").block?.severity == .suspend)
            let dismissed = try await browser.send(
                client, "/herdwatch/blocklists/dismiss", method: .post, form: ["csrf": csrf, "domain": "rude.example"])
            #expect(dismissed.status == .seeOther)

            let after = String(buffer: try await browser.send(client, "/herdwatch/blocklists").body)
            #expect(after.contains("No draft"))
            #expect(after.contains("<code>spam.example</code>: none → suspend"))
            let batch = try #require(try await store.batches(limit: 1).first)
            #expect(batch.actor == "lena" && batch.channel == .ui)

            let undone = try await browser.send(
                client, "/herdwatch/blocklists/batches/\(batch.id)/undo", method: .post, form: ["csrf": csrf])
            #expect(undone.status == .seeOther)
            #expect(server.components.blocklist.status(of: "spam.example").block == nil)
            let twice = try await browser.send(
                client, "/herdwatch/blocklists/batches/\(batch.id)/undo", method: .post, form: ["csrf": csrf])
            #expect(twice.status == .conflict)
            #expect(String(buffer: twice.body).contains("spam.example"))
        }
    }

    @Test func aHeldRetractionNeedsItsConfirmBox() async throws {
        let from = BlockProvenance(origin: .subscription("garden"))
        let (server, store) = try await server(
            applied: [
                DomainBlock(domain: "a.example", provenance: from), DomainBlock(domain: "b.example", provenance: from),
            ],
            entries: [])
        _ = try await server.account("lena", role: .lead)
        let app = HerdwatchApplication.make(server.components)
        try await app.test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, username: "lena", password: "correct horse battery")
            let html = String(buffer: try await browser.send(client, "/herdwatch/blocklists").body)
            #expect(html.contains("Held: these retractions"))
            #expect(html.contains("name=\"confirm\""))
            let csrf = try #require(Browser.hidden("csrf", in: html))
            let refused = try await browser.send(
                client, "/herdwatch/blocklists/apply", method: .post, form: ["csrf": csrf, "group": "retraction"])
            #expect(refused.status == .conflict)
            #expect(try await store.block(domain: "a.example")?.state == .active)
            let confirmed = try await browser.send(
                client, "/herdwatch/blocklists/apply", method: .post,
                form: ["csrf": csrf, "group": "retraction", "confirm": "on"])
            #expect(confirmed.status == .seeOther)
            #expect(try await store.block(domain: "a.example")?.state == .retracted)
        }
    }

    @Test(arguments: [Account.Role.moderator, .contractor])
    func othersNeitherSeeTheLinkNorThePage(role: Account.Role) async throws {
        let (server, _) = try await server(entries: [DomainBlock(domain: "spam.example")])
        _ = try await server.account("mo", role: role)
        let app = HerdwatchApplication.make(server.components)
        try await app.test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, username: "mo", password: "correct horse battery")
            let queue = String(buffer: try await browser.send(client, "/herdwatch/").body)
            #expect(!queue.contains("/herdwatch/blocklists"))
            #expect(try await browser.send(client, "/herdwatch/blocklists").status == .forbidden)
            let csrf = try #require(Browser.hidden("csrf", in: queue))
            let post = try await browser.send(
                client, "/herdwatch/blocklists/apply", method: .post, form: ["csrf": csrf, "domain": "spam.example"])
            #expect(post.status == .forbidden)
        }
    }
}
