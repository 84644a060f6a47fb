import ActivityPub
import Testing

@testable import Blocklists

@Suite struct DomainNormalizationTests {
    @Test(arguments: [
        ("Example.ORG", "example.org"),
        ("example.org.", "example.org"),
        ("  spam.example.net  ", "spam.example.net"),
        ("*.bad.example", "bad.example"),
        ("bücher.example", "xn--bcher-kva.example"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("BÜCHER.example.", "xn--bcher-kva.example"),
        ("ａｂｃ.example", "abc.example"),
    ])
    func normalisesToOneSpelling(input: String, expected: String) throws {
        #expect(try BlockDomain.normalize(input) == expected)
    }

    @Test func unicodeAndPunycodeAreOneDomain() throws {
        #expect(try BlockDomain.normalize("münchen.example") == BlockDomain.normalize("xn--mnchen-3ya.example"))
    }

    @Test(arguments: [
        ("", BlocklistError.Code.invalidDomain),
        ("exa****.*rg", .obfuscatedDomain),
        ("example.org:443", .invalidDomain),
        ("example.org/path", .invalidDomain),
        ("[::1]", .invalidDomain),
        ("192.0.2.1", .invalidDomain),
        ("bad..example", .invalidDomain),
        ("-bad.example", .invalidDomain),
        ("bad domain.example", .invalidDomain),
        ("com", .publicSuffix),
        ("co.uk", .publicSuffix),
        ("*.co.uk", .publicSuffix),
        ("*.github.io", .publicSuffix),
        ("localhost", .publicSuffix),
    ])
    func refusesWhatIsNotABlockableDomain(input: String, code: BlocklistError.Code) {
        #expect {
            try BlockDomain.normalize(input)
        } throws: { error in
            (error as? BlocklistError)?.code == code
        }
    }

    @Test func labelOver63BytesIsRefused() {
        let label = String(repeating: "a", count: 64)
        #expect(throws: BlocklistError.self) { try BlockDomain.normalize("\(label).example") }
        #expect((try? BlockDomain.normalize("\(label.dropLast()).example")) != nil)
    }

    @Test func registeredDomainUnderPrivateSuffixIsAllowed() throws {
        #expect(try BlockDomain.normalize("someone.github.io") == "someone.github.io")
    }

    @Test func coverageIsByWholeLabels() {
        #expect(BlockDomain.isCovered("a.b.example.org", by: "example.org"))
        #expect(BlockDomain.isCovered("example.org", by: "example.org"))
        #expect(!BlockDomain.isCovered("badexample.org", by: "example.org"))
        #expect(!BlockDomain.isCovered("org", by: "example.org"))
    }

    @Test func ownDomainAndItsParentsAreNeverBlocked() throws {
        let policy = try DomainPolicy(ownDomain: "Social.Example.ORG", excludes: [])
        for domain in ["social.example.org", "example.org"] {
            #expect {
                try policy.validate(domain)
            } throws: { ($0 as? BlocklistError)?.code == .ownDomain }
        }
        #expect(try policy.validate("other.example.org") == "other.example.org")
    }

    @Test func excludesCoverTheirSubdomains() throws {
        let policy = try DomainPolicy(excludes: ["Friends.Example"])
        #expect(policy.excludes == ["friends.example"])
        for domain in ["friends.example", "media.friends.example"] {
            #expect {
                try policy.validate(domain)
            } throws: { ($0 as? BlocklistError)?.code == .excluded }
        }
        #expect(try policy.validate("notfriends.example") == "notfriends.example")
    }

    @Test func anExcludeThatIsNotADomainIsRefused() {
        #expect {
            try DomainPolicy(excludes: ["co.uk"])
        } throws: { error in
            let error = error as? BlocklistError
            return error?.code == .publicSuffix && error?.message.hasPrefix("exclude: ") == true
        }
    }
}

@Suite struct DomainBlockModelTests {
    @Test func severityOrderIsNoopSilenceSuspend() {
        #expect(BlockSeverity.noop < .silence)
        #expect(BlockSeverity.silence < .suspend)
        #expect(BlockSeverity.allCases.max() == .suspend)
    }

    @Test func stricterThanFollowsMastodon() {
        let parent = DomainBlock(domain: "example.org", severity: .silence, rejectMedia: true)
        #expect(DomainBlock(domain: "a.example.org", severity: .suspend).isStricter(than: parent))
        #expect(!DomainBlock(domain: "a.example.org", severity: .noop).isStricter(than: parent))
        #expect(!DomainBlock(domain: "a.example.org", severity: .silence).isStricter(than: parent))
        #expect(DomainBlock(domain: "a.example.org", severity: .silence, rejectMedia: true).isStricter(than: parent))
        let suspended = DomainBlock(domain: "example.org", severity: .suspend)
        #expect(
            !DomainBlock(domain: "a.example.org", severity: .silence, rejectMedia: true).isStricter(than: suspended))
    }

    @Test func limitationsAreMastodonsWithLimitations() {
        #expect(DomainBlock(domain: "a.example", severity: .silence).hasLimitations)
        #expect(DomainBlock(domain: "a.example", severity: .noop, rejectMedia: true).hasLimitations)
        #expect(!DomainBlock(domain: "a.example", severity: .noop, rejectReports: true).hasLimitations)
        #expect(!DomainBlock(domain: "a.example", severity: .suspend, state: .retracted).hasLimitations)
    }

    @Test func reasonsReadCommonSpellings() {
        #expect(BlockReason(tag: "Spam") == .spam)
        #expect(BlockReason(tag: "racism") == .hate)
        #expect(BlockReason(tag: "lack of moderation") == .unmoderated)
        #expect(BlockReason(tag: "gardening") == nil)
    }
}
