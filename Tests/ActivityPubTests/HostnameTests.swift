import Testing

@testable import ActivityPub

@Suite struct HostnameTests {
    @Test(arguments: [
        ("荒らし", "68j5e377y"),
        ("bücher", "bcher-kva"),
        ("münchen", "mnchen-3ya"),
        ("例え", "r8jz45g"),
        ("пример", "e1afmkfd"),
        ("😀", "e28h"),
        ("abc-", "abc--"),
    ])
    func punycodeRoundTrips(unicode: String, encoded: String) {
        #expect(Punycode.encode(unicode) == encoded)
        #expect(Punycode.decode(encoded) == unicode)
    }

    @Test func rfc3492SampleDecodes() {
        // RFC 3492 section 7.1 sample (B) Chinese (simplified).
        #expect(Punycode.decode("ihqwcrb4cv8a8dqg056pqjye") == "他们为什么不说中文")
        #expect(Punycode.encode("他们为什么不说中文") == "ihqwcrb4cv8a8dqg056pqjye")
    }

    @Test func rejectsInvalidPunycode() {
        #expect(Punycode.decode("99999999999999") == nil)
        #expect(Punycode.decode("ab!") == nil)
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

    @Test(arguments: ["mailto:a@b.example", "/relative/path", "https://", "not a url", "gemini://host.example/"])
    func rejectsURLsWithoutHost(url: String) {
        #expect(Hostname.host(ofURL: url) == nil)
    }
}
