import Foundation
import Testing

@testable import ActivityPub

@Suite struct PublicSuffixListTests {
    static let inline = try! PublicSuffixList(contents: """
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
        #expect(list.source.hasPrefix("libpsl "))
        #expect(list.registrableDomain(of: "a.b.example.co.uk") == "example.co.uk")
        #expect(list.registrableDomain(of: "mastodon.social") == "mastodon.social")
        #expect(list.registrableDomain(of: "misskey.io") == "misskey.io")
        #expect(list.registrableDomain(of: "alice.github.io") == "alice.github.io")
        #expect(list.registrableDomain(of: "荒らし.com") == "xn--68j5e377y.com")
        #expect(list.registrableDomain(of: "www.city.kawasaki.jp") == "city.kawasaki.jp")
        #expect(list.registrableDomain(of: "github.io") == nil)
    }

    /// libpsl's list (built in, or the system's): every one of these needs real rules, none the fallback of old.
    @Test(arguments: [
        ("a.b.example.co.uk", "example.co.uk"),
        ("foo.github.io", "foo.github.io"),
        ("bar.foo.github.io", "foo.github.io"),
        ("shop.example.com.au", "example.com.au"),
        ("x.y.blogspot.com", "y.blogspot.com"),
        ("sub.example.unknowntld", "example.unknowntld"),
        ("unknowntld", nil),
        ("co.uk", nil),
        ("公司.cn", nil),
        ("a.例え.jp", "xn--r8jz45g.jp"),
    ])
    func registrableDomainsFromTheSystemList(host: String, expected: String?) {
        #expect(PublicSuffixList.shared.registrableDomain(of: host) == expected)
    }

    /// A list without rules is an error, not a silent "last two labels".
    @Test(arguments: ["", "// comments only\n\n", "   \n"])
    func aListWithoutRulesIsAnError(contents: String) {
        #expect {
            try PublicSuffixList(contents: contents)
        } throws: { error in
            (error as? PublicSuffixListError)?.message.contains("public_suffix_list.dat") == true
        }
    }

    @Test func systemListLoadsWithoutError() throws {
        let list = try PublicSuffixList.system()
        #expect(list.registrableDomain(of: "alice.github.io") == "alice.github.io")
    }
}

/// The lookup walks a table from the right; this checks it against the rules applied the way the list's
/// documentation states them (longest matching rule wins, exceptions first), on hosts built from the real list.
@Suite struct PublicSuffixListReferenceTests {
    struct Reference {
        var rules: Set<String> = []
        var wildcards: Set<String> = []
        var exceptions: Set<String> = []

        init(contents: String) {
            for line in contents.split(whereSeparator: \.isNewline) {
                guard let token = line.split(whereSeparator: \.isWhitespace).first, !token.hasPrefix("//") else { continue }
                if token.hasPrefix("!") {
                    if let host = Hostname.normalize(String(token.dropFirst())) { exceptions.insert(host) }
                } else if token.hasPrefix("*.") {
                    if let host = Hostname.normalize(String(token.dropFirst(2))) { wildcards.insert(host) }
                } else if let host = Hostname.normalize(String(token)) {
                    rules.insert(host)
                }
            }
        }

        func registrableDomain(of host: String) -> String? {
            guard let host = Hostname.normalize(host), !host.hasPrefix("["),
                !host.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ".") })
            else { return nil }
            let labels = host.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard labels.count >= 2 else { return nil }
            var suffixLabels = 1
            for position in labels.indices {
                let candidate = labels[position...].joined(separator: ".")
                if exceptions.contains(candidate) {
                    suffixLabels = labels.count - position - 1
                    break
                }
                if rules.contains(candidate) {
                    suffixLabels = labels.count - position
                    break
                }
                if position + 1 < labels.count, wildcards.contains(labels[(position + 1)...].joined(separator: ".")) {
                    suffixLabels = labels.count - position
                    break
                }
            }
            guard suffixLabels < labels.count else { return nil }
            return labels[(labels.count - suffixLabels - 1)...].joined(separator: ".")
        }
    }

    @Test func agreesWithTheRulesOnHostsBuiltFromTheSystemList() throws {
        let contents = try String(contentsOfFile: "/usr/share/publicsuffix/public_suffix_list.dat", encoding: .utf8)
        let list = try PublicSuffixList(contents: contents)
        let reference = Reference(contents: contents)
        let names = reference.rules.union(reference.wildcards).union(reference.exceptions).sorted()
        #expect(names.count > 5_000)
        // Every rule, wildcard base and exception itself, and with one, two and three labels in front.
        var checked = 0
        for name in names {
            for prefix in ["", "example.", "www.example.", "a.b.example."] {
                let host = prefix + name
                if prefix.isEmpty, reference.wildcards.contains(name), !reference.rules.contains(name) {
                    // libpsl counts the base of a wildcard rule (`compute.amazonaws.com` for
                    // `*.compute.amazonaws.com`) as a public suffix too, where the list's own algorithm would give
                    // `amazonaws.com`; `Subject.linkDomains` then falls back to the host itself.
                    #expect(list.registrableDomain(of: host) == nil, "\(host)")
                } else {
                    #expect(list.registrableDomain(of: host) == reference.registrableDomain(of: host), "\(host)")
                }
                checked += 1
            }
        }
        #expect(checked == names.count * 4)
    }
}
