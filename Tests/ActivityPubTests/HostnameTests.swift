import Testing

@testable import ActivityPub

@Suite struct HostnameTests {
    @Test(arguments: [
        ("荒らし", "68j5e377y"),
        ("bücher", "bcher-kva"),
        ("münchen", "mnchen-3ya"),
        ("例え", "r8jz45g"),
        ("пример", "e1afmkfd"),
        // RFC 3492 section 7.1 sample (B) Chinese (simplified).
        ("他们为什么不说中文", "ihqwcrb4cv8a8dqg056pqjye"),
    ])
    func internationalHostsRoundTrip(unicode: String, encoded: String) {
        #expect(Hostname.normalize(unicode + ".example") == "xn--\(encoded).example")
        #expect(Hostname.unicode("xn--\(encoded).example") == unicode + ".example")
    }

    @Test func labelsThatAreNotPunycodeAreShownAsTheyAre() {
        #expect(Hostname.unicode("xn--99999999999999.xn--68j5e377y.com") == "xn--99999999999999.荒らし.com")
        #expect(Hostname.unicode("xn--ab!.example") == "xn--ab!.example")
        #expect(Hostname.unicode("abc-.example") == "abc-.example")
    }

    @Test func idnaHostRoundTrip() {
        #expect(Hostname.normalize("荒らし.com") == "xn--68j5e377y.com")
        #expect(Hostname.unicode("xn--68j5e377y.com") == "荒らし.com")
        #expect(Hostname.normalize("xn--68j5e377y.com") == "xn--68j5e377y.com")
    }

    @Test(arguments: [
        ("Social.Example", "social.example"),
        ("social.example.", "social.example"),
        ("social.example:8443", "social.example"),
        ("localhost:8080", "localhost"),
        ("[2001:DB8::1]:443", "[2001:db8::1]"),
        ("BÜCHER.example", "xn--bcher-kva.example"),
        ("荒らし。com", "xn--68j5e377y.com"),
        ("ｅｘａｍｐｌｅ．com", "example.com"),
    ])
    func normalizesHosts(input: String, expected: String) {
        #expect(Hostname.normalize(input) == expected)
    }

    @Test(arguments: ["", ".", "bad host.example", "a/b", "host:port", ".leading.example"])
    func rejectsNonHosts(input: String) {
        #expect(Hostname.normalize(input) == nil)
    }

    @Test(arguments: [
        ("https://Social.Example/@alice", "social.example"),
        ("http://user:pw@host.example:8080/path?q#f", "host.example"),
        ("https://荒らし.com/", "xn--68j5e377y.com"),
        ("HTTPS://MIXED.example", "mixed.example"),
        ("https://host.example?query", "host.example"),
    ])
    func extractsHostFromURL(url: String, host: String) {
        #expect(Hostname.host(ofURL: url) == host)
    }

    /// UTS 46 mapping (libidn2): ignorable code points such as the soft hyphen vanish, so a domain list that names
    /// `example.com` matches however the host was dressed up.
    @Test(arguments: [
        ("ex\u{AD}ample.com", "example.com"),
        ("exa\u{200B}mple.com", "example.com"),
        ("e\u{FE0F}xample.com", "example.com"),
        ("ＥＸ\u{AD}ＡＭＰＬＥ。ｃｏｍ", "example.com"),
        ("faß.de", "xn--fa-hia.de"),
        ("℡.com", "tel.com"),
    ])
    func ignorableCodePointsAreRemoved(input: String, expected: String) {
        #expect(Hostname.normalize(input) == expected)
        #expect(Hostname.host(ofURL: "https://\(input)/path") == expected)
    }

    /// Browsers percent-decode the host before IDNA, so these URLs lead to example.com and must say so.
    @Test(arguments: [
        "http://%65xample.com/",
        "https://ex%C2%ADample.com/p",
        "https://EX%41MPLE.com",
    ])
    func percentEncodedHostsAreDecoded(url: String) {
        #expect(Hostname.host(ofURL: url) == "example.com")
    }

    @Test func percentEncodedLinksKeepTheirHost() throws {
        let html = #"<p><a href="http://%65xample.com/">a</a> http://ex%C2%ADample.com/x</p>"#
        let activity = try Activity(json: .object([
            "type": .string("Create"), "actor": .string("https://a.example/users/x"),
            "object": .object(["type": .string("Note"), "content": .string(html)]),
        ]))
        let subject = Normalizer.subject(for: activity)
        #expect(subject.links.map(\.host) == ["example.com", "example.com"])
        #expect(subject.linkDomains == ["example.com"])
    }

    /// What IDNA 2008 refuses (libidn2) is not a host: bad Punycode, a label with a joiner out of context.
    @Test(arguments: ["xn--zz.com", "ä\u{200D}b.com", "a\u{FFFD}.com", "-ä.com"])
    func invalidInternationalHostsAreRefused(input: String) {
        #expect(Hostname.normalize(input.contains("xn--") ? "ü." + input : input) == nil)
    }

    @Test(arguments: ["mailto:a@b.example", "/relative/path", "https://", "not a url", "gemini://host.example/"])
    func rejectsURLsWithoutHost(url: String) {
        #expect(Hostname.host(ofURL: url) == nil)
    }
}
