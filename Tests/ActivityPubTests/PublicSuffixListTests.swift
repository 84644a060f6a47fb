import Testing

@testable import ActivityPub

@Suite struct PublicSuffixListTests {
    static let inline = PublicSuffixList(contents: """
        // ===BEGIN ICANN DOMAINS===
        com
        uk
        co.uk
        jp
        *.kawasaki.jp
        !city.kawasaki.jp
        *.ck
        !www.ck
        公司.cn
        cn
        // private section
        github.io
        """)

    @Test(arguments: [
        ("a.b.example.co.uk", "example.co.uk"),
        ("example.co.uk", "example.co.uk"),
        ("co.uk", nil),
        ("uk", nil),
        ("www.example.com", "example.com"),
        ("foo.bar.kawasaki.jp", "foo.bar.kawasaki.jp"),
        ("bar.kawasaki.jp", nil),
        ("www.city.kawasaki.jp", "city.kawasaki.jp"),
        ("city.kawasaki.jp", "city.kawasaki.jp"),
        ("a.b.ck", "a.b.ck"),
        ("www.ck", "www.ck"),
        ("x.www.ck", "www.ck"),
        ("alice.github.io", "alice.github.io"),
        ("shop.example.公司.cn", "example.xn--55qx5d.cn"),
        ("unlisted.tld", "unlisted.tld"),
        ("deep.sub.unlisted.tld", "unlisted.tld"),
        ("localhost", nil),
        ("192.168.1.10", nil),
        ("[::1]", nil),
        ("WWW.Example.COM.", "example.com"),
    ])
    func inlineRules(host: String, expected: String?) {
        #expect(Self.inline.registrableDomain(of: host) == expected)
        #expect(Self.inline.source.hasPrefix("inline list"))
    }

    @Test func systemListIsLoaded() {
        let list = PublicSuffixList.shared
        #expect(list.source.hasPrefix("/usr/share/publicsuffix/public_suffix_list.dat"))
        #expect(list.registrableDomain(of: "a.b.example.co.uk") == "example.co.uk")
        #expect(list.registrableDomain(of: "mastodon.social") == "mastodon.social")
        #expect(list.registrableDomain(of: "misskey.io") == "misskey.io")
        #expect(list.registrableDomain(of: "alice.github.io") == "alice.github.io")
        #expect(list.registrableDomain(of: "荒らし.com") == "xn--68j5e377y.com")
        #expect(list.registrableDomain(of: "www.city.kawasaki.jp") == "city.kawasaki.jp")
        #expect(list.registrableDomain(of: "github.io") == nil)
    }
}
