import Testing

@testable import Blocklists

@Suite struct BlockIndexTests {
    let index = BlockIndex([
        DomainBlock(domain: "example.org", severity: .silence),
        DomainBlock(domain: "bad.example.org", severity: .suspend),
        DomainBlock(domain: "noop.example.org", severity: .noop, rejectMedia: true),
        DomainBlock(domain: "spam.example", severity: .suspend),
        DomainBlock(domain: "gone.example", severity: .suspend, state: .retracted),
    ])

    @Test(arguments: [
        ("example.org", "example.org"),
        ("www.example.org", "example.org"),
        ("bad.example.org", "bad.example.org"),
        ("deep.down.bad.example.org", "bad.example.org"),
        ("noop.example.org", "noop.example.org"),
        ("spam.example", "spam.example"),
        ("a.spam.example", "spam.example"),
    ])
    func mostSpecificEntryWins(host: String, expected: String) {
        #expect(index.rule(for: host)?.domain == expected)
    }

    @Test(arguments: [
        "org", "badexample.org", "xexample.org", "example.org.evil", "gone.example", "a.gone.example", "", ".",
    ])
    func uncoveredHostsMatchNothing(host: String) {
        #expect(index.rule(for: host) == nil)
    }

    @Test func retractedEntriesAreNotIndexed() {
        #expect(index.count == 4)
        #expect(index.entries.allSatisfy { $0.state == .active })
    }

    @Test func ownDomainAndExcludesWinOverBlocksAboveThem() throws {
        let policy = try DomainPolicy(ownDomain: "social.example.org", excludes: ["friends.spam.example"])
        let index = BlockIndex(
            [
                DomainBlock(domain: "example.org"), DomainBlock(domain: "spam.example"),
                DomainBlock(domain: "one.friends.spam.example"),
            ],
            policy: policy)
        #expect(index.rule(for: "social.example.org") == nil)
        #expect(index.rule(for: "media.social.example.org") == nil)
        #expect(index.rule(for: "other.example.org")?.domain == "example.org")
        #expect(index.rule(for: "friends.spam.example") == nil)
        #expect(index.rule(for: "x.friends.spam.example") == nil)
        // A block below an exclude is more specific than it, and wins.
        #expect(index.rule(for: "one.friends.spam.example")?.domain == "one.friends.spam.example")
        #expect(index.rule(for: "spam.example")?.domain == "spam.example")
    }

    @Test func aDomainListedTwiceKeepsItsFirstEntry() {
        let index = BlockIndex([
            DomainBlock(domain: "twice.example", severity: .silence),
            DomainBlock(domain: "twice.example", severity: .suspend),
        ])
        #expect(index.count == 1)
        #expect(index.severity(for: "twice.example") == .silence)
    }

    @Test func manyEntriesAllFoundAndNothingElse() {
        let blocks = (0..<20_000).map { DomainBlock(domain: "host\($0).example\($0 % 7).net") }
        let index = BlockIndex(blocks)
        for number in stride(from: 0, to: 20_000, by: 37) {
            #expect(index.entryIndex(covering: "a.b.host\(number).example\(number % 7).net") == number)
            #expect(index.entryIndex(covering: "host\(number).example\((number + 1) % 7).net") == nil)
        }
    }

    @Test func bridgedOrSubstringHostsWork() {
        let host = String("xx.bad.example.org".dropFirst(3))
        #expect(index.rule(for: host)?.domain == "bad.example.org")
    }
}
