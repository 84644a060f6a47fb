import Access
import Configuration
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HerdwatchServer

@Suite("Per-user blur setting")
struct BlurSettingTests {
    static let blurred = #"data-blur-media="true""#

    @Test("media is blurred by default; a person turns it off on the settings page (with the form's CSRF token)")
    func turnOffAndBack() async throws {
        let server = try TestServer()
        let mo = try await server.account("mo", role: .moderator)
        try await HerdwatchApplication.make(server.components).test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, username: "mo", password: "correct horse battery")
            #expect(String(buffer: try await browser.send(client, "/herdwatch/").body).contains(Self.blurred))
            let page = String(buffer: try await browser.send(client, "/herdwatch/settings").body)
            #expect(page.contains(#"value="default" checked"#))
            let csrf = try #require(Browser.hidden("csrf", in: page))

            let forged = try await browser.send(
                client, "/herdwatch/settings", method: .post, form: ["csrf": "forged", "blur": "off"])
            #expect(forged.status == .forbidden)
            #expect(try await server.access.store.account(id: mo.id)?.blurMedia == nil)
            let unknown = try await browser.send(
                client, "/herdwatch/settings", method: .post, form: ["csrf": csrf, "blur": "sometimes"])
            #expect(unknown.status == .unprocessableContent)

            let off = try await browser.send(
                client, "/herdwatch/settings", method: .post, form: ["csrf": csrf, "blur": "off"])
            #expect(off.status == .seeOther)
            #expect(try await server.access.store.account(id: mo.id)?.blurMedia == false)
            #expect(!String(buffer: try await browser.send(client, "/herdwatch/").body).contains(Self.blurred))
            #expect(
                String(buffer: try await browser.send(client, "/herdwatch/settings").body).contains(
                    #"value="off" checked"#))

            _ = try await browser.send(
                client, "/herdwatch/settings", method: .post, form: ["csrf": csrf, "blur": "default"])
            #expect(try await server.access.store.account(id: mo.id)?.blurMedia == nil)
            #expect(String(buffer: try await browser.send(client, "/herdwatch/").body).contains(Self.blurred))
        }
    }

    @Test("a person's choice to blur holds where the server does not blur")
    func ownChoiceOverridesTheDefault() async throws {
        let server = try TestServer(values: ["web.blurMedia": false])
        let mo = try await server.account("mo", role: .moderator)
        try await HerdwatchApplication.make(server.components).test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, username: "mo", password: "correct horse battery")
            #expect(!String(buffer: try await browser.send(client, "/herdwatch/").body).contains(Self.blurred))
            #expect(try await server.access.store.setBlurMedia(accountID: mo.id, to: true))
            #expect(String(buffer: try await browser.send(client, "/herdwatch/").body).contains(Self.blurred))
        }
    }
}
