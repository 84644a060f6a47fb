import Foundation
import HerdwatchTestSupport
import Testing

@Suite("herdwatch blocklist import and list")
struct BlocklistImportCLITests {
    /// A peer's comment is its own text: control characters in it are listed as `\u{XX}`, not sent to the terminal.
    @Test func listEscapesControlCharactersInComments() throws {
        let db = temporaryDatabasePath()
        defer { removeDatabase(at: db) }
        let csv = "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n"
            + "bad.example,suspend,false,false,spam\u{1B}]0;owned\u{07} wave,false\n"
        let file = db + ".csv"
        try csv.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let imported = try CLI.run(["blocklist", "import", "--db", db, file])
        #expect(imported.status == 0, "\(imported.stderr)")
        let list = try CLI.run(["blocklist", "list", "--db", db])
        #expect(list.stdout == "bad.example\tsuspend\tspam\\u{1B}]0;owned\\u{7} wave\n", "\(list.stdout)")
    }

    @Test func importDetectsTheFormatAppliesTheListAndSaysWhatChanged() throws {
        let db = temporaryDatabasePath()
        defer { removeDatabase(at: db) }
        let first = try CLI.run(["blocklist", "import", "--db", db, "Fixtures/blocklists/mastodon.csv"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout == "Fixtures/blocklists/mastodon.csv (mastodon-csv): 4 added, 0 changed, 0 unchanged\n")
        // FediBlockHole's file shares three domains; only harass.example says more (a private comment), and
        // old.example is new.
        let second = try CLI.run([
            "blocklist", "import", "--db", db, "Fixtures/blocklists/fediblockhole.csv", "--format", "fediblockhole-csv",
        ])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(
            second.stdout
                == "Fixtures/blocklists/fediblockhole.csv (fediblockhole-csv): 1 added, 1 changed, 2 unchanged\n")
        let list = try CLI.run(["blocklist", "list", "--db", db])
        #expect(list.status == 0)
        #expect(
            list.stdout == """
                harass.example\tsuspend+reject_media+reject_reports\tHarassment, dogpiling
                media.example.net\tnoop+reject_media\t
                old.example\tnoop\tretracted after an appeal
                quiet.example.org\tsilence+reject_reports\tUnmoderated
                xn--spm-vla.example\tsuspend\tSpam; "free" offers

                """)
    }

    @Test func aChangedRowIsCountedAsChanged() throws {
        let db = temporaryDatabasePath()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("peers-\(UUID().uuidString).txt")
        defer {
            removeDatabase(at: db)
            try? FileManager.default.removeItem(at: file)
        }
        #expect(try CLI.run(["blocklist", "import", "--db", db, "Fixtures/blocklists/mastodon.csv"]).status == 0)
        // Plain text reads as suspensions without comments: quiet.example.org escalates and keeps its comment,
        // xn--spm-vla.example is as it was, new.example is new.
        try Data("quiet.example.org\nxn--spm-vla.example\nnew.example\n".utf8).write(to: file)
        let result = try CLI.run(["blocklist", "import", "--db", db, file.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasSuffix("(text): 1 added, 1 changed, 1 unchanged\n"))
        let list = try CLI.run(["blocklist", "list", "--db", db])
        #expect(list.stdout.contains("quiet.example.org\tsuspend\tUnmoderated\n"))
    }

    @Test func aFileWithRefusedRowsIsReportedRowByRowAndNothingIsApplied() throws {
        let db = temporaryDatabasePath()
        defer { removeDatabase(at: db) }
        let result = try CLI.run(["blocklist", "import", "--db", db, "Fixtures/blocklists/mastodon-messy.csv"])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 7)
        #expect(
            lines.first?.hasPrefix("Fixtures/blocklists/mastodon-messy.csv:line 5: `co.uk` is a public suffix") == true)
        #expect(
            lines.last
                == "herdwatch: Fixtures/blocklists/mastodon-messy.csv: 6 of 9 rows refused, so nothing was applied; correct or remove them and import again"
        )
        let list = try CLI.run(["blocklist", "list", "--db", db])
        #expect(list.stdout == "no blocks; add some with `herdwatch blocklist import --db FILE LIST`\n")
    }

    @Test func anEmptyOrUnreadableListAppliesNothingAndExitsTwo() throws {
        let db = temporaryDatabasePath()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(UUID().uuidString).txt")
        defer {
            removeDatabase(at: db)
            try? FileManager.default.removeItem(at: file)
        }
        try Data("# nothing yet\n".utf8).write(to: file)
        let empty = try CLI.run(["blocklist", "import", "--db", db, file.path])
        #expect(empty.status == 2)
        #expect(empty.stderr.contains("has no usable entry"))
        #expect(empty.stderr.contains("nothing was applied"))
        let wrong = try CLI.run([
            "blocklist", "import", "--db", db, "Fixtures/blocklists/mastodon.csv", "--format", "rapidblock-json",
        ])
        #expect(wrong.status == 2)
        #expect(wrong.stderr.contains("nothing was applied"))
        #expect(try CLI.run(["blocklist", "list", "--db", db]).stdout.hasPrefix("no blocks"))
    }
}
