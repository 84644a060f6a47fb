import Foundation
import Testing

@testable import ActivityPub

/// The host parser against the WHATWG URL Standard's reading of special URLs, and the stricter reading of ids.
@Suite struct URLAuthorityTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var url: String
        /// nil when the URL must not parse.
        var host: String?
        var port: Int? = nil
        var userinfo = false
        var plain = false
        var testDescription: String { url.debugDescription }
    }

    @Test(arguments: [
        // The issue's bypass: `\` ends the authority, so the `@` is in the path.
        Case(url: #"http://trusted.example\@attacker/users/x"#, host: "trusted.example"),
        Case(url: #"https://trusted.example\\attacker/"#, host: "trusted.example"),
        // The userinfo ends at the last `@` of the authority, not at the first, and not past a `/`.
        Case(url: "http://trusted.example@attacker/", host: "attacker", userinfo: true, plain: true),
        Case(url: "http://a@b@c.example/", host: "c.example", userinfo: true, plain: true),
        Case(url: "http://u:p@w@host.example:8080/x@y", host: "host.example", port: 8080, userinfo: true, plain: true),
        Case(url: "http://@host.example/", host: "host.example", userinfo: true, plain: true),
        Case(url: "http://host.example/@attacker", host: "host.example", plain: true),
        Case(url: "http://host.example?@attacker", host: "host.example", plain: true),
        Case(url: "http://host.example#@attacker", host: "host.example", plain: true),
        // Tabs and newlines anywhere are dropped; C0 controls and spaces at either end are trimmed.
        Case(url: "ht\ttp://exa\nmple.com/", host: "example.com"),
        Case(url: "http://trusted.example\r\n@attacker/", host: "attacker", userinfo: true),
        Case(url: "  https://example.com/ \u{01}", host: "example.com"),
        // Scheme in any case; nothing but http and https.
        Case(url: "HTTPS://EXAMPLE.com/", host: "example.com", plain: true),
        Case(url: "hTTp://Example.COM", host: "example.com", plain: true),
        Case(url: "ftp://example.com/", host: nil),
        Case(url: "javascript://example.com/%0aalert(1)", host: nil),
        Case(url: "mailto:a@b.example", host: nil),
        Case(url: "/relative/path", host: nil),
        Case(url: "example.com", host: nil),
        // Any run of slashes: read as browsers do, but not plainly written.
        Case(url: "https:/one-slash.example/", host: "one-slash.example"),
        Case(url: "https:///three.example/", host: "three.example"),
        Case(url: "https:no-slash.example", host: "no-slash.example"),
        Case(url: #"https:\\backslashes.example\x"#, host: "backslashes.example"),
        // Percent-encoded hosts are decoded, then IDNA-encoded.
        Case(url: "http://%74rusted%2Eexample/", host: "trusted.example"),
        Case(url: "http://b%C3%BCcher.example/", host: "xn--bcher-kva.example"),
        Case(url: "http://a%2Fb.example/", host: nil),
        Case(url: "http://a%40b.example/", host: nil),
        Case(url: "http://a%00b.example/", host: nil),
        Case(url: "https://bücher.example/", host: "xn--bcher-kva.example", plain: true),
        Case(url: "https://ＥＸＡＭＰＬＥ．com/", host: "example.com", plain: true),
        // IPv4 in every numeric form becomes dotted decimal.
        Case(url: "http://127.0.0.1/", host: "127.0.0.1", plain: true),
        Case(url: "http://0x7f.1/", host: "127.0.0.1"),
        Case(url: "http://2130706433/", host: "127.0.0.1"),
        Case(url: "http://0177.0.0.1/", host: "127.0.0.1"),
        Case(url: "http://127.1/", host: "127.0.0.1"),
        Case(url: "http://0x7F000001:8080/", host: "127.0.0.1", port: 8080),
        Case(url: "http://127.0.0.1./", host: "127.0.0.1"),
        Case(url: "http://%30x7f.1/", host: "127.0.0.1"),
        Case(url: "http://256.0.0.1/", host: nil),
        Case(url: "http://1.2.3.4.5/", host: nil),
        Case(url: "http://4294967296/", host: nil),
        Case(url: "http://09/", host: nil),
        Case(url: "http://example.0x/", host: nil),
        Case(url: "http://1.example/", host: "1.example", plain: true),
        // IPv6 in brackets, in its shortest form.
        Case(url: "http://[::1]/", host: "[::1]", plain: true),
        Case(url: "http://[0:0:0:0:0:FFFF:127.0.0.1]:8080/", host: "[::ffff:7f00:1]", port: 8080, plain: true),
        Case(url: "https://[2001:DB8:0:0:1:0:0:1]/", host: "[2001:db8::1:0:0:1]", plain: true),
        Case(url: "http://[2001:db8::]/", host: "[2001:db8::]", plain: true),
        Case(url: "http://[::127.0.0.1]/", host: "[::7f00:1]", plain: true),
        Case(url: "http://[::1/", host: nil),
        Case(url: "http://[fe80::1%25eth0]/", host: nil),
        Case(url: "http://[1:2:3:4:5:6:7:8:9]/", host: nil),
        Case(url: "http://[::1::2]/", host: nil),
        Case(url: "http://[]/", host: nil),
        // Ports: the scheme's default is no port; anything but digits up to 65535 is refused.
        Case(url: "http://example.com:80/", host: "example.com", plain: true),
        Case(url: "https://example.com:443/", host: "example.com", plain: true),
        Case(url: "https://example.com:80/", host: "example.com", port: 80, plain: true),
        Case(url: "http://example.com:/", host: "example.com", plain: true),
        Case(url: "http://example.com:65536/", host: nil),
        Case(url: "http://example.com:8a/", host: nil),
        Case(url: "http://example.com:1:2/", host: nil),
        // No host.
        Case(url: "http://", host: nil),
        Case(url: "http:///", host: nil),
        Case(url: "http://@/", host: nil),
        Case(url: "http://user@", host: nil),
        Case(url: "http://:80/", host: nil),
        Case(url: "http:", host: nil),
        Case(url: "", host: nil),
        // Characters no host may have.
        Case(url: "http://exa mple.com/", host: nil),
        Case(url: "http://exa<mple.com/", host: nil),
        Case(url: "http://" + String(repeating: "a", count: 254) + "/", host: nil),
    ])
    func parsesTheAuthority(_ test: Case) {
        let authority = URLAuthority(parsing: test.url)
        #expect(authority?.host == test.host)
        guard let authority, test.host != nil else { return }
        #expect(authority.port == test.port)
        #expect(authority.hasUserinfo == test.userinfo)
        #expect(authority.isPlainlyWritten == test.plain)
        #expect(Hostname.host(ofURL: test.url) == test.host)
        #expect(Hostname.host(ofID: test.url) == (test.plain && !test.userinfo ? test.host : nil))
    }

    @Test func schemeIsKept() {
        #expect(URLAuthority(parsing: "HTTP://a.example")?.scheme == "http")
        #expect(URLAuthority(parsing: "Https://a.example")?.scheme == "https")
    }

    @Test(arguments: [
        "https://social.example/users/alice", "https://social.example/users/alice#main-key",
        "https://social.example:8443/ap/users/1", "http://127.0.0.1:3000/users/x", "https://[2001:db8::1]/actor",
    ])
    func acceptsPlainIDs(id: String) {
        #expect(Hostname.isValidID(id))
    }

    @Test(arguments: [
        #"http://trusted.example\@attacker/users/x"#, "http://trusted.example@attacker/users/x",
        "https://user:pw@social.example/users/alice", "https://@social.example/users/alice",
        "https:/social.example/users/alice", "https:///social.example/users/alice", " https://social.example/users/a",
        "https://social.example/users/a\n", "https://social.example/users/a b", "https://soc%69al.example/users/a",
        "https://2130706433/users/a", "ftp://social.example/users/a", "social.example/users/a",
    ])
    func refusesIDsEveryParserMightReadDifferently(id: String) {
        #expect(!Hostname.isValidID(id))
        #expect(Hostname.host(ofID: id) == nil)
    }

    @Test func normalizeReadsIPAddressesAsURLsDo() {
        #expect(Hostname.normalize("0x7f.1") == "127.0.0.1")
        #expect(Hostname.normalize("2130706433:80") == "127.0.0.1")
        #expect(Hostname.normalize("[0:0::FFFF:7F00:1]") == "[::ffff:7f00:1]")
        #expect(Hostname.normalize("[::1]x") == nil)
        #expect(Hostname.normalize("999.1.1.1") == nil)
    }

    /// The issue's bypass, read everywhere an actor's host is read: refused as an id, so it is never taken for
    /// `trusted.example`.
    @Test func theBackslashActorIsNeverTrustedExample() throws {
        let actorID = #"http://trusted.example\@attacker/users/x"#
        #expect(Hostname.host(ofID: actorID) == nil)
        let json: JSONObject = [
            "type": .string("Create"), "actor": .string(actorID),
            "object": .object([
                "type": .string("Note"), "content": .string("hi"),
                "tag": .array([.object(["type": .string("Mention"), "href": .string(actorID)])]),
            ]),
        ]
        let subject = Normalizer.subject(for: try Activity(json: .object(json)))
        #expect(subject.actorHost == nil)
        // A mention's href is an actor id too; a link is not, and names the host a browser would open.
        #expect(subject.mentions.count == 1)
        #expect(subject.mentions.first?.host == nil)
        #expect(Hostname.host(ofURL: actorID) == "trusted.example")
        let withUserinfo = "http://trusted.example@attacker/users/x"
        let second = Normalizer.subject(
            for: try Activity(json: .object(["type": .string("Create"), "actor": .string(withUserinfo)])))
        #expect(second.actorHost == nil)
        #expect(Hostname.host(ofURL: withUserinfo) == "attacker")
    }
}
