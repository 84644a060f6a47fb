import Blocklists
import Foundation
import HerdwatchTestSupport
import Storage
import Testing

@Suite("herdwatch blocklist drafts, apply, dismiss, batches, undo")
struct BlocklistReviewCLITests {
    /// A database with subscription `garden` carrying `entries`, and `applied` as applied blocks.
    func database(applied: [DomainBlock] = [], entries: [DomainBlock]) async throws -> String {
        let db = temporaryDatabasePath()
        let store = SQLiteBlocklistStore(database: try SQLiteDatabase(path: db))
        for block in applied { try await store.save(block) }
        try await store.saveSubscription(BlocklistSubscription(id: "garden", url: "https://garden.example/list.csv"))
        try await store.saveSubscriptionEntries(id: "garden", entries)
        return db
    }

    @Test func draftsApplyBatchesAndUndo() async throws {
        let db = try await database(
            applied: [
                DomainBlock(
                    domain: "mild.example", severity: .silence,
                    provenance: BlockProvenance(origin: .subscription("garden")))
            ],
            entries: [
                DomainBlock(domain: "spam.example"), DomainBlock(domain: "mild.example"),
                DomainBlock(domain: "rude.example", severity: .silence),
            ])
        defer { removeDatabase(at: db) }
        let drafts = try CLI.run(["blocklist", "drafts", "--db", db])
        #expect(drafts.status == 0, "\(drafts.stderr)")
        #expect(
            drafts.stdout == """
                addition\trude.example\t- -> silence\tgarden
                addition\tspam.example\t- -> suspend\tgarden
                escalation\tmild.example\tsilence -> suspend\tgarden

                """)
        let json = try CLI.run(["blocklist", "drafts", "--db", db, "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((object["escalations"] as? [[String: Any]])?.first?["applied"] as? String == "silence")

        let refused = try CLI.run(["blocklist", "apply", "--db", db, "nothing.example"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("there is no draft for nothing.example"))
        let applied = try CLI.run(["blocklist", "apply", "--db", db, "spam.example", "mild.example"])
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(applied.stdout == "batch 1: 2 applied; undo with `herdwatch blocklist undo 1`\n")
        let dismissed = try CLI.run(["blocklist", "dismiss", "--db", db, "rude.example"])
        #expect(dismissed.stdout == "dismissed addition rude.example silence\n")
        #expect(try CLI.run(["blocklist", "drafts", "--db", db]).stdout.hasPrefix("no drafts"))
        #expect(try CLI.run(["blocklist", "list", "--db", db]).stdout.contains("spam.example\tsuspend"))

        let undo = try CLI.run(["blocklist", "undo", "--db", db, "1"])
        #expect(undo.status == 0, "\(undo.stderr)")
        #expect(undo.stdout == "batch 2 undid batch 1: 2 restored\n")
        let batches = try CLI.run(["blocklist", "batches", "--db", db])
        #expect(batches.stdout.contains("\tcli\t"))
        #expect(
            batches.stdout.contains(
                " undoes 1\n  spam.example\tsuspend -> retract\n  mild.example\tsuspend -> silence\n"))
        let again = try CLI.run(["blocklist", "undo", "--db", db, "1"])
        #expect(again.status == 2)
        #expect(again.stderr.contains("batch 1 cannot be undone: the entry for spam.example changed"))
    }

    @Test func aMassRetractionNeedsTheFlag() async throws {
        let from = BlockProvenance(origin: .subscription("garden"))
        let db = try await database(
            applied: [
                DomainBlock(domain: "a.example", provenance: from), DomainBlock(domain: "b.example", provenance: from),
            ],
            entries: [])
        defer { removeDatabase(at: db) }
        #expect(
            try CLI.run(["blocklist", "drafts", "--db", db]).stdout.contains(
                "retraction\ta.example\tsuspend -> retract\towner garden\tHELD"))
        let refused = try CLI.run(["blocklist", "apply", "--db", db, "--all"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("mass retraction by garden"))
        let confirmed = try CLI.run(["blocklist", "apply", "--db", db, "--all", "--confirm-mass-retraction"])
        #expect(confirmed.status == 0, "\(confirmed.stderr)")
        #expect(try CLI.run(["blocklist", "list", "--db", db]).stdout.contains("no blocks"))
    }
}
