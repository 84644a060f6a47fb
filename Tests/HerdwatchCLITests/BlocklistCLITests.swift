import Foundation
import HerdwatchTestSupport
import Testing

@Suite("herdwatch blocklist")
struct BlocklistCLITests {
    @Test func convertWritesTheTargetFormat() throws {
        let result = try CLI.run(["blocklist", "convert", "Fixtures/blocklists/mastodon.csv", "--to", "gotosocial-csv"])
        #expect(result.status == 0)
        let expected = try String(
            contentsOf: CLI.root.appendingPathComponent("Fixtures/blocklists/gotosocial.csv"), encoding: .utf8)
        #expect(result.stdout == expected)
        #expect(result.stderr.isEmpty)
    }

    @Test func convertReportsEveryRefusedRowAndExitsOne() throws {
        let result = try CLI.run(["blocklist", "convert", "Fixtures/blocklists/mastodon-messy.csv", "--to", "text"])
        #expect(result.status == 1)
        #expect(result.stdout == "defaults.example\nharass.example\nxn--spm-vla.example\n")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 6)
        #expect(
            lines.first?.hasPrefix("Fixtures/blocklists/mastodon-messy.csv:line 5: `co.uk` is a public suffix") == true)
    }

    @Test func anEmptyListIsAnErrorAndWritesNothing() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(UUID().uuidString).txt")
        try Data("# nothing yet\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try CLI.run(["blocklist", "convert", file.path, "--to", "text"])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("has no usable entry"))
    }

    @Test func exportLeavesOutPrivateComments() throws {
        let result = try CLI.run([
            "blocklist", "export", "Fixtures/blocklists/fediblockhole.csv", "--format", "fediblockhole-csv",
        ])
        #expect(result.status == 0)
        #expect(result.stdout.contains("harass.example,suspend,\"Harassment, dogpiling\",,True,True,False\r\n"))
        #expect(!result.stdout.contains("reported"))
    }

    @Test func diffGroupsDraftsByKind() throws {
        let result = try CLI.run([
            "blocklist", "diff", "--applied-from-subscriptions", "Fixtures/blocklists/plain.txt",
            "Fixtures/blocklists/fediblockhole.csv", "Fixtures/blocklists/rapidblock.json",
        ])
        #expect(result.status == 1)
        #expect(
            result.stdout == """
                + media.example.net  noop+reject_media  (Fixtures/blocklists/fediblockhole.csv)
                + spam.example.net  suspend  (Fixtures/blocklists/rapidblock.json)
                ^ harass.example  suspend -> suspend+reject_media+reject_reports  \
                (Fixtures/blocklists/fediblockhole.csv, Fixtures/blocklists/rapidblock.json)
                v quiet.example.org  suspend -> silence+reject_reports  (Fixtures/blocklists/fediblockhole.csv)
                - xn--spm-vla.example  suspend
                2 additions, 1 escalations, 1 downgrades, 1 retractions

                """)
    }

    @Test func diffNeverRetractsOurOwnBlocksAndHonoursTheThreshold() throws {
        let result = try CLI.run([
            "blocklist", "diff", "--threshold", "count:2", "Fixtures/blocklists/plain.txt",
            "Fixtures/blocklists/fediblockhole.csv", "Fixtures/blocklists/rapidblock.json",
        ])
        #expect(result.status == 1)
        #expect(
            result.stdout == """
                ^ harass.example  suspend -> suspend+reject_media+reject_reports  \
                (Fixtures/blocklists/fediblockhole.csv, Fixtures/blocklists/rapidblock.json)
                0 additions, 1 escalations, 0 downgrades, 0 retractions

                """)
    }

    @Test func aBadThresholdIsAUsageError() throws {
        let result = try CLI.run([
            "blocklist", "diff", "--threshold", "most", "Fixtures/blocklists/plain.txt",
            "Fixtures/blocklists/plain.txt",
        ])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--threshold most is not count:N"))
    }
}
