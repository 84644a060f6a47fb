import Foundation
import Testing

@testable import Blocklists

@Suite struct FormatRoundTripTests {
    /// Each canonical fixture is what we write: reading it and writing it back gives the same bytes.
    @Test(arguments: [
        ("mastodon.csv", BlocklistFormat.mastodonCSV),
        ("fediblockhole.csv", .fediBlockHoleCSV),
        ("fediblockhole.json", .fediBlockHoleJSON),
        ("rapidblock.json", .rapidBlockJSON),
        ("gotosocial.csv", .goToSocialCSV),
        ("gotosocial.json", .goToSocialJSON),
        ("plain.txt", .plainText),
    ])
    func fixtureReadAndWrittenBackIsByteIdentical(name: String, format: BlocklistFormat) throws {
        let text = try Fixtures.text(name)
        let list = try BlocklistImport(parsing: text, format: format)
        #expect(list.rejections.isEmpty)
        let options = BlocklistExport.Options(
            includePrivateComments: true, publishedAt: ISO8601DateFormatter().date(from: "2026-11-30T12:00:00Z")!)
        #expect(BlocklistExport.render(list.entries, as: format, options: options) == text)
    }

    @Test(arguments: [
        ("mastodon.csv", BlocklistFormat.mastodonCSV),
        ("fediblockhole.csv", .fediBlockHoleCSV),
        ("fediblockhole.json", .fediBlockHoleJSON),
        ("rapidblock.json", .rapidBlockJSON),
        ("gotosocial.json", .goToSocialJSON),
        ("plain.txt", .plainText),
    ])
    func formatIsDetected(name: String, format: BlocklistFormat) throws {
        #expect(BlocklistFormat.detect(try Fixtures.text(name)) == format)
    }

    /// Entries written in a format and read back are the same entries, for every field the format carries.
    @Test(arguments: BlocklistFormat.allCases)
    func entriesSurviveExportAndImport(format: BlocklistFormat) throws {
        let entries = [
            DomainBlock(
                domain: "a.example", severity: .suspend, rejectMedia: true, rejectReports: true,
                privateComment: "private, \"quoted\"", publicComment: "line one,\nline two", obfuscate: true,
                reasons: [.spam, .hate]),
            DomainBlock(domain: "b.example", severity: .silence, rejectReports: true, publicComment: "quiet"),
            DomainBlock(domain: "c.example", severity: .noop, rejectMedia: true),
        ]
        let text = BlocklistExport.render(entries, as: format, options: .init(includePrivateComments: true))
        let read = try BlocklistImport(parsing: text, format: format).entries
        let expected = entries.compactMap { entry -> DomainBlock? in
            Self.carried(entry, by: format)
        }
        #expect(read == expected)
    }

    /// What `format` keeps of `entry`, or nil when it does not write it.
    static func carried(_ entry: DomainBlock, by format: BlocklistFormat) -> DomainBlock? {
        var kept = DomainBlock(domain: entry.domain, severity: entry.severity)
        switch format {
        case .mastodonCSV:
            guard entry.hasLimitations else { return nil }
            kept.rejectMedia = entry.rejectMedia
            kept.rejectReports = entry.rejectReports
            kept.publicComment = entry.publicComment
            kept.obfuscate = entry.obfuscate
        case .goToSocialCSV, .goToSocialJSON:
            guard entry.severity == .suspend else { return nil }
            if format == .goToSocialCSV {
                kept.rejectMedia = entry.rejectMedia
                kept.rejectReports = entry.rejectReports
            }
            kept.publicComment = entry.publicComment
            kept.obfuscate = entry.obfuscate
        case .fediBlockHoleCSV, .fediBlockHoleJSON:
            kept = entry
            kept.reasons = []
        case .rapidBlockJSON:
            kept.severity = .suspend
            kept.publicComment = entry.publicComment
            kept.reasons = entry.reasons
        case .plainText:
            guard entry.severity != .noop else { return nil }
            kept.severity = .suspend
        }
        return kept
    }
}

@Suite struct FormatImportTests {
    @Test func messyMastodonFileKeepsGoodRowsAndReportsEveryBadOne() throws {
        let list = try BlocklistImport(parsing: try Fixtures.text("mastodon-messy.csv"))
        #expect(list.format == .mastodonCSV)
        #expect(list.entries.map(\.domain) == ["harass.example", "xn--spm-vla.example", "defaults.example"])
        #expect(list.entries[0].publicComment == "Harassment,\r\ndogpiling")
        #expect(list.entries[0].rejectMedia && list.entries[0].rejectReports)
        #expect(list.entries[2] == DomainBlock(domain: "defaults.example", severity: .suspend))
        let rejected = list.rejections.map { "\($0.location!) \($0.code.rawValue)" }
        #expect(
            rejected == [
                "line 5 publicSuffix", "line 6 invalidField", "line 7 obfuscatedDomain", "line 8 duplicate",
                "line 9 invalidDomain", "line 10 invalidField",
            ])
        #expect(list.rejections[3].message.contains("first at line 2"))
    }

    @Test func rejectionMessagesNeverQuoteComments() throws {
        let text =
            "#domain,#severity,#public_comment\nsecret.example,limit,do not leak this comment\n"
            + "ok.example,suspend,fine\n"
        let list = try BlocklistImport(parsing: text)
        #expect(list.rejections.count == 1)
        #expect(!list.rejections[0].description.contains("leak"))
    }

    @Test func plainTextSkipsCommentsAndBlankLines() throws {
        let list = try BlocklistImport(parsing: try Fixtures.text("plain-messy.txt"))
        #expect(list.format == .plainText)
        #expect(list.entries.map(\.domain) == ["spam.example", "xn--bcher-kva.example", "wild.example"])
        #expect(list.entries.allSatisfy { $0.severity == .suspend })
        #expect(list.rejections.map(\.location) == [.line(5)])
    }

    @Test func anEmptyListIsAnError() {
        for (text, format) in [
            ("#domain,#severity\n", BlocklistFormat.mastodonCSV), ("[]", .fediBlockHoleJSON),
            ("# nothing yet\n\n", .plainText), ("", .plainText),
            ("{\"blocks\":{}}", .rapidBlockJSON),
        ] {
            #expect {
                try BlocklistImport(parsing: text, format: format)
            } throws: { ($0 as? BlocklistError)?.code == .emptyList }
        }
    }

    @Test func aListWhoseRowsAreAllRefusedIsAnError() {
        #expect {
            try BlocklistImport(parsing: "com\nco.uk\n", format: .plainText)
        } throws: { error in
            let error = error as? BlocklistError
            return error?.code == .emptyList && error?.message.contains("all 2 rows were refused") == true
        }
    }

    @Test func policyRefusesOwnDomainAndExcludesPerRow() throws {
        let policy = try DomainPolicy(ownDomain: "social.example", excludes: ["friend.example"])
        let list = try BlocklistImport(
            parsing: "social.example\nsub.friend.example\nbad.example\n", format: .plainText, policy: policy)
        #expect(list.entries.map(\.domain) == ["bad.example"])
        #expect(list.rejections.map(\.code) == [.ownDomain, .excluded])
    }

    @Test func provenanceIsStampedOnEveryEntry() throws {
        let provenance = BlockProvenance(origin: .list("peers.csv"), at: Date(timeIntervalSince1970: 1_800_000_000))
        let list = try BlocklistImport(parsing: "a.example\nb.example\n", provenance: provenance)
        #expect(list.entries.allSatisfy { $0.provenance == provenance })
    }

    @Test func goToSocialCSVWantsExactlySixColumnsAndSuspensions() throws {
        let text =
            "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n"
            + "a.example,suspend,false,false,,false\n" + "b.example,silence,false,false,,false\n"
            + "c.example,suspend,false,false\n"
        let list = try BlocklistImport(parsing: text, format: .goToSocialCSV)
        #expect(list.entries.map(\.domain) == ["a.example"])
        #expect(list.rejections.map(\.location) == [.line(3), .line(4)])
        #expect {
            try BlocklistImport(parsing: "#domain,#severity\na.example,suspend\n", format: .goToSocialCSV)
        } throws: { ($0 as? BlocklistError)?.code == .malformedList }
    }

    @Test func fediBlockHoleCSVReadsPythonBooleansAndEmptySeverityAsNoop() throws {
        let text = "domain,severity,reject_media\r\na.example,,True\r\nb.example,suspend,no\r\n"
        let list = try BlocklistImport(parsing: text)
        #expect(list.format == .fediBlockHoleCSV)
        #expect(
            list.entries == [
                DomainBlock(domain: "a.example", severity: .noop, rejectMedia: true),
                DomainBlock(domain: "b.example", severity: .suspend),
            ])
    }

    @Test func domainOnlyCSVDefaultsToSuspend() throws {
        let list = try BlocklistImport(parsing: "domain\na.example\n")
        #expect(list.entries == [DomainBlock(domain: "a.example", severity: .suspend)])
    }

    @Test func mastodonPublicAPIJSONIsRead() throws {
        let text = """
            [{"domain":"a.example","digest":"00","severity":"silence","comment":"Spam"},
             {"domain":"b.exa***e","digest":"11","severity":"suspend","comment":null}]
            """
        let list = try BlocklistImport(parsing: text)
        #expect(list.format == .fediBlockHoleJSON)
        #expect(list.entries == [DomainBlock(domain: "a.example", severity: .silence, publicComment: "Spam")])
        #expect(list.rejections.map(\.location) == [.entry(2)])
        #expect(list.rejections.map(\.code) == [.obfuscatedDomain])
    }

    @Test func goToSocialJSONReadsEveryEntryAsASuspension() throws {
        let list = try BlocklistImport(parsing: "[{\"domain\":\"a.example\",\"comment\":\"x\"}]")
        #expect(list.format == .goToSocialJSON)
        #expect(list.entries == [DomainBlock(domain: "a.example", severity: .suspend, publicComment: "x")])
    }

    @Test func rapidBlockRetractionsAndTags() throws {
        let list = try BlocklistImport(parsing: try Fixtures.text("rapidblock.json"))
        #expect(list.entries.map(\.state) == [.retracted, .active, .active])
        #expect(list.entries[1].reasons == [.harassment, .hate])
    }

    @Test func unreadableFilesAreRefusedWhole() {
        #expect {
            try BlocklistImport(parsing: "[{\"domain\": ", format: .fediBlockHoleJSON)
        } throws: { ($0 as? BlocklistError)?.code == .malformedList }
        #expect {
            try BlocklistImport(parsing: "severity,comment\nsuspend,x\n", format: .fediBlockHoleCSV)
        } throws: { ($0 as? BlocklistError)?.code == .malformedList }
        #expect {
            try BlocklistImport(parsing: "#domain\n\"a.example\n", format: .mastodonCSV)
        } throws: { ($0 as? BlocklistError)?.code == .malformedList }
        #expect {
            try BlocklistImport(parsing: "a,b,c\n")
        } throws: { ($0 as? BlocklistError)?.code == .unknownFormat }
    }
}

@Suite struct FormatExportTests {
    let entries = [
        DomainBlock(domain: "z.example", severity: .suspend, privateComment: "ours only"),
        DomainBlock(domain: "a.example", severity: .silence),
        DomainBlock(domain: "n.example", severity: .noop),
        DomainBlock(domain: "retracted.example", severity: .suspend, state: .retracted),
        DomainBlock(
            domain: "peer.example", severity: .suspend, provenance: BlockProvenance(origin: .subscription("peers"))),
    ]

    @Test func privateCommentsAreLeftOutUnlessAsked() {
        #expect(!BlocklistExport.render(entries, as: .fediBlockHoleCSV).contains("ours only"))
        #expect(!BlocklistExport.render(entries, as: .fediBlockHoleJSON).contains("ours only"))
        #expect(
            BlocklistExport.render(entries, as: .fediBlockHoleJSON, options: .init(includePrivateComments: true))
                .contains("ours only"))
    }

    @Test func goToSocialViewsAreSuspendOnly() {
        #expect(BlocklistExport.render(entries, as: .goToSocialJSON).contains("\"z.example\""))
        #expect(!BlocklistExport.render(entries, as: .goToSocialJSON).contains("a.example"))
        #expect(
            BlocklistExport.render(entries, as: .plainText, options: .init(suspendOnly: true))
                == "peer.example\nz.example\n")
        #expect(BlocklistExport.render(entries, as: .plainText) == "a.example\npeer.example\nz.example\n")
    }

    @Test func subscribedEntriesCanBeLeftOut() {
        let text = BlocklistExport.render(entries, as: .mastodonCSV, options: .init(leaveOutSubscribed: true))
        #expect(
            text == "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n"
                + "a.example,silence,false,false,,false\nz.example,suspend,false,false,,false\n")
    }

    @Test func retractionsAreWrittenOnlyByRapidBlock() {
        for format in BlocklistFormat.allCases where format != .rapidBlockJSON {
            #expect(!BlocklistExport.render(entries, as: format).contains("retracted.example"))
        }
        #expect(
            BlocklistExport.render(entries, as: .rapidBlockJSON).contains("\"retracted.example\":{\"isBlocked\":false"))
    }
}
