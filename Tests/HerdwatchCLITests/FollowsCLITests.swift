import Foundation
import HerdwatchTestSupport
import Testing

/// The follow graph end to end: learned from a replayed stream, imported from Mastodon's export, and read by
/// rules in `check` and `backtest`.
@Suite("herdwatch follows, and the follow signals in check and backtest", .serialized)
struct FollowsCLITests {
    static let bob = "https://remote.example/users/bob"
    static let alice = "https://our.example/users/alice"

    /// A rule directory whose rules say which follow signals held: `t.followed` (the sender is followed here),
    /// `t.not-following` (a mentioned local user does not follow the sender), `t.domain-followed`.
    func rules() throws -> (directory: String, cleanup: () -> Void) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "herdwatch-follows-rules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: CLI.root.appendingPathComponent("Rules/policy.yaml"),
            to: directory.appendingPathComponent("policy.yaml"))
        func rule(_ id: String, _ signal: String) -> String {
            """
              - id: \(id)
                description: test rule on \(signal)
                types: [any]
                when: {field: \(signal), gte: 1}
                score: 1
                examples:
                  match: [{text: hi, signals: {\(signal): 1}}]
                  no_match: [{text: hi, signals: {\(signal): 0}}]

            """
        }
        try
            ("rules:\n" + rule("t.followed", "actor.followed_by_local")
            + rule("t.not-following", "mentions.local_not_following")
            + rule("t.domain-followed", "domain.followed_by_local") + rule("t.follows-local", "actor.follows_local"))
            .write(to: directory.appendingPathComponent("follows.yaml"), atomically: true, encoding: .utf8)
        return (directory.path, { try? FileManager.default.removeItem(at: directory) })
    }

    func temporaryDatabase() -> (path: String, cleanup: () -> Void) {
        let path = temporaryDatabasePath()
        return (path, { removeDatabase(at: path) })
    }

    static func mention(_ id: String, from sender: String = bob, to target: String = alice) -> String {
        #"{"id":"\#(id)","activity":{"id":"\#(sender)/statuses/\#(id)/activity","type":"Create","actor":"\#(sender)","published":"2026-01-01T10:00:00Z","object":{"id":"\#(sender)/statuses/\#(id)","type":"Note","content":"hello there","tag":[{"type":"Mention","href":"\#(target)"}]}}}"#
    }

    static func accept(_ id: String, signature: String) -> String {
        #"{"id":"\#(id)","signature":"\#(signature)","activity":{"id":"\#(bob)#accepts/1","type":"Accept","actor":"\#(bob)","published":"2026-01-01T10:00:00Z","object":{"id":"https://our.example/follows/1","type":"Follow","actor":"\#(alice)","object":"\#(bob)"}}}"#
    }

    func hits(_ verdict: [String: Any]) -> Set<String> {
        Set((verdict["hits"] as? [[String: Any]] ?? []).compactMap { $0["rule"] as? String })
    }

    func byID(_ output: String) throws -> [String: Set<String>] {
        Dictionary(uniqueKeysWithValues: try CLI.jsonLines(output).map { ($0["id"] as? String ?? "", hits($0)) })
    }

    @Test func aVerifiedAcceptInTheStreamMakesTheSenderFollowedAndIsRemembered() throws {
        let (rules, cleanupRules) = try rules()
        defer { cleanupRules() }
        let (db, cleanup) = temporaryDatabase()
        defer { cleanup() }
        let stream = [Self.mention("before"), Self.accept("accept", signature: "verified"), Self.mention("after")]
            .joined(separator: "\n")
        let result = try CLI.run(
            ["check", "--rules", rules, "--db", db, "--local-domain", "our.example", "--format", "json", "-"],
            stdin: stream)
        let verdicts = try byID(result.stdout)
        #expect(verdicts["before"] == ["t.not-following"])
        #expect(verdicts["after"] == ["t.followed", "t.domain-followed"])

        // Written to the database: the next run starts from it.
        let again = try CLI.run(
            ["check", "--rules", rules, "--db", db, "--local-domain", "our.example", "--format", "json", "-"],
            stdin: Self.mention("later"))
        #expect(try byID(again.stdout)["later"] == ["t.followed", "t.domain-followed"])
    }

    @Test(arguments: ["unsigned", "failed"])
    func anUnverifiedAcceptChangesNothing(signature: String) throws {
        let (rules, cleanupRules) = try rules()
        defer { cleanupRules() }
        let (db, cleanup) = temporaryDatabase()
        defer { cleanup() }
        let stream = [Self.accept("accept", signature: signature), Self.mention("after")].joined(separator: "\n")
        let result = try CLI.run(
            ["check", "--rules", rules, "--db", db, "--local-domain", "our.example", "--format", "json", "-"],
            stdin: stream)
        #expect(try byID(result.stdout)["after"] == ["t.not-following"])
    }

    @Test func withoutALocalDomainTheSignalsAreZeroAndTheLogSaysSoOnce() throws {
        let (rules, cleanupRules) = try rules()
        defer { cleanupRules() }
        let (db, cleanup) = temporaryDatabase()
        defer { cleanup() }
        let stream = [Self.accept("accept", signature: "verified"), Self.mention("after"), Self.mention("again")]
            .joined(separator: "\n")
        let result = try CLI.run(["check", "--rules", rules, "--db", db, "--format", "json", "-"], stdin: stream)
        #expect(try byID(result.stdout)["after"] == [])
        #expect(result.stderr.components(separatedBy: "no --local-domain given").count == 2, "\(result.stderr)")
    }

    @Test func anImportedExportIsSeenByCheckAndBacktest() throws {
        let (rules, cleanupRules) = try rules()
        defer { cleanupRules() }
        let (db, cleanup) = temporaryDatabase()
        defer { cleanup() }
        let imported = try CLI.run([
            "follows", "import", "--db", db, "--user", "alice", "--local-domain", "our.example",
            "Fixtures/follows/following_accounts.csv",
        ])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("Imported 3 follows of alice@our.example"))

        let stream = [
            Self.mention("bob", from: Self.bob), Self.mention("carol", from: "https://other.example/@carol"),
            Self.mention("zed", from: "https://lemmy.example/u/zed"),
            Self.mention("stranger", from: "https://third.example/users/x"),
        ].joined(separator: "\n")
        let checked = try CLI.run(
            ["check", "--rules", rules, "--db", db, "--local-domain", "our.example", "--format", "json", "-"],
            stdin: stream)
        let verdicts = try byID(checked.stdout)
        for id in ["bob", "carol", "zed"] { #expect(verdicts[id] == ["t.followed", "t.domain-followed"], "\(id)") }
        #expect(verdicts["stranger"] == ["t.not-following"])

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("follows-\(UUID().uuidString).ndjson")
        defer { try? FileManager.default.removeItem(at: file) }
        try stream.write(to: file, atomically: true, encoding: .utf8)
        // Against the default rules, the test rules' hits show what each side's follow graph said.
        func newHits(_ arguments: [String]) throws -> [String: Int] {
            let result = try CLI.run(
                [
                    "backtest", "--rules", rules, "--baseline", "Rules", "--local-domain", "our.example", "--format",
                    "json",
                ]
                    + arguments + [file.path])
            #expect(result.status == 0, "\(result.stderr)")
            let report = try #require(
                try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            let changes = report["rules"] as? [[String: Any]] ?? []
            return Dictionary(
                uniqueKeysWithValues: changes.compactMap { change in
                    (change["rule"] as? String).map { ($0, change["new_hits"] as? Int ?? 0) }
                })
        }
        let fromDatabase = try newHits(["--db", db])
        #expect(fromDatabase["t.followed"] == 3 && fromDatabase["t.not-following"] == 1, "\(fromDatabase)")
        let withoutDatabase = try newHits([])
        #expect(withoutDatabase["t.followed"] == nil && withoutDatabase["t.not-following"] == 4, "\(withoutDatabase)")
        let scored = try CLI.run([
            "check", "--rules", rules, "--local-domain", "our.example", "--format", "json", file.path,
        ])
        #expect(try byID(scored.stdout)["bob"] == ["t.not-following"], "without --db the import is not seen")
    }

    @Test func badRowsAreReportedByLineAndNothingIsImported() throws {
        let (db, cleanup) = temporaryDatabase()
        defer { cleanup() }
        let result = try CLI.run([
            "follows", "import", "--db", db, "--user", "alice@our.example",
            "Fixtures/follows/following_accounts_bad_rows.csv",
        ])
        #expect(result.status == 2)
        #expect(result.stderr.contains("line 3:") && result.stderr.contains("line 5:"))
        #expect(!result.stderr.contains("line 2:") && !result.stderr.contains("not an address"), "rows are not echoed")
        let (rules, cleanupRules) = try rules()
        defer { cleanupRules() }
        let checked = try CLI.run(
            ["check", "--rules", rules, "--db", db, "--local-domain", "our.example", "--format", "json", "-"],
            stdin: Self.mention("bob"))
        #expect(try byID(checked.stdout)["bob"] == ["t.not-following"], "the good rows were not applied either")
    }
}
