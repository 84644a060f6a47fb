import Foundation
import HerdwatchTestSupport
import Testing

@Suite("herdwatch check --db, db and backtest", .serialized)
struct ReputationCLITests {
    func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("herdwatch-cli-\(UUID().uuidString)-\(name)").path
    }

    @Test func replayingAWaveBuildsReputationThatCatchesItAndPersists() throws {
        let db = temporaryPath("wave.sqlite")
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) } }
        let result = try CLI.run(["check", "--db", db, "--format", "json", "Fixtures/streams/wave-2024-02.ndjson"])
        #expect(result.status == 1)
        let verdicts = try CLI.jsonLines(result.stdout)
        #expect(verdicts.count == 100)
        let wave = verdicts.filter { ($0["id"] as? String)?.hasPrefix("wave-") == true }
        let legit = verdicts.filter { ($0["id"] as? String)?.hasPrefix("legit-") == true }
        let rules = { (verdict: [String: Any]) in
            (verdict["hits"] as? [[String: Any]] ?? []).compactMap { $0["rule"] as? String }
        }
        // The first posts of the wave look like anyone's; once five accounts on two servers posted it, it is a campaign.
        #expect(!rules(wave[0]).contains("reputation.campaign-many-actors"))
        #expect(wave.suffix(50).allSatisfy { rules($0).contains("reputation.campaign-many-actors") })
        #expect(wave.suffix(50).allSatisfy { ["hold", "reject"].contains($0["action"] as? String) })
        #expect(legit.allSatisfy { $0["action"] as? String == "accept" })

        // The database remembers: replaying one more wave post starts from what was learnt.
        let check = try CLI.run(["db", "check", "--db", db])
        #expect(check.status == 0)
        #expect(check.stdout.contains(" migration(s), integrity check passed)"))
        let again = try CLI.run(["check", "--db", db, "--format", "json", "-"], stdin: try waveLine(index: 0))
        let replayed = try #require(try CLI.jsonLines(again.stdout).first)
        #expect(rules(replayed).contains("reputation.campaign-many-actors"))
    }

    /// A stream too big to be read as one document is read and prepared a batch at a time; the verdicts still
    /// come out in input order, numbered by line, a bad line among them, and reputation builds up in order.
    @Test func aLargeStreamIsReplayedInOrderBatchByBatch() throws {
        let lines = try String(
            contentsOfFile: CLI.root.appendingPathComponent("Fixtures/streams/wave-2024-02.ndjson").path,
            encoding: .utf8
        )
        .split(separator: "\n").map(String.init)
        var stream: [String] = []
        // Each round's envelopes get their own ids ("r3-wave-07"); the activities inside stay as they are.
        for round in 0..<15 { stream += lines.map { #"{"id":"r\#(round)-"# + $0.dropFirst(#"{"id":""#.count) } }
        stream.insert("", at: 300)
        stream.insert("{\"type\": \"Create\", truncated", at: 700)
        let file = temporaryPath("large.ndjson")
        let db = temporaryPath("large.sqlite")
        defer {
            try? FileManager.default.removeItem(atPath: file)
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) }
        }
        try stream.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try FileManager.default.attributesOfItem(atPath: file)[.size] as! Int > 1 << 20)

        let result = try CLI.run(["check", "--db", db, "--format", "json", file])
        #expect(result.status == 1)
        let verdicts = try CLI.jsonLines(result.stdout)
        #expect(verdicts.count == stream.count - 1)
        let numbers = verdicts.compactMap { ($0["source"] as? String)?.split(separator: ":").last.flatMap { Int($0) } }
        #expect(numbers == (1...stream.count).filter { $0 != 301 })
        let bad = try #require(verdicts.first { $0["error"] != nil })
        #expect(bad["source"] as? String == "\(file):701")
        let ids = verdicts.compactMap { $0["id"] as? String }
        let envelopeIDs = stream.compactMap { line -> String? in
            guard line.hasPrefix(#"{"id":""#) else { return nil }
            return String(line.dropFirst(#"{"id":""#.count).prefix { $0 != "\"" })
        }
        #expect(envelopeIDs.count == 1500)
        #expect(ids == envelopeIDs)
        // Reputation is built in stream order: by the last round every wave post belongs to a known campaign.
        let rules = { (verdict: [String: Any]) in
            (verdict["hits"] as? [[String: Any]] ?? []).compactMap { $0["rule"] as? String }
        }
        let lastWave = verdicts.filter { ($0["id"] as? String)?.hasPrefix("r14-wave-") == true }
        #expect(lastWave.count == 60)
        #expect(lastWave.allSatisfy { rules($0).contains("reputation.campaign-many-actors") })

        // backtest streams the same file: every line counted once, the broken one as unreadable, and the
        // same rule set on both sides changes nothing.
        let backtest = try CLI.run(["backtest", "--rules", "Rules", "--baseline", "Rules", "--format", "json", file])
        #expect(backtest.status == 0)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(backtest.stdout.utf8)) as? [String: Any])
        #expect(report["evaluated"] as? Int == 1500)
        #expect(report["unreadable"] as? Int == 1)
        #expect((report["action_changes"] as? [Any])?.isEmpty == true)
        #expect((report["baseline"] as? [String: Int])?["reject", default: 0] ?? 0 > 700)
    }

    func waveLine(index: Int) throws -> String {
        let lines = try String(
            contentsOfFile: CLI.root.appendingPathComponent("Fixtures/streams/wave-2024-02.ndjson").path,
            encoding: .utf8
        )
        .split(separator: "\n")
        return String(lines.first { $0.contains("\"id\":\"wave-\(String(format: "%02d", index))\"") }!) + "\n"
    }

    @Test func dbMigrateCheckAndBackup() throws {
        let db = temporaryPath("a.sqlite")
        let copy = temporaryPath("copy.sqlite")
        defer {
            for path in [db, copy] {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }
        }
        let missing = try CLI.run(["db", "check", "--db", db])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("no database at \(db)"))
        let migrate = try CLI.run(["db", "migrate", "--db", db])
        #expect(migrate.status == 0)
        #expect(migrate.stdout.contains("schema up to date ("))
        #expect(migrate.stdout.contains("2026-11-28-campaign-fingerprint-version"))
        let backup = try CLI.run(["db", "backup", "--db", db, copy])
        #expect(backup.status == 0)
        #expect(try CLI.run(["db", "check", "--db", copy]).status == 0)
        let again = try CLI.run(["db", "backup", "--db", db, copy])
        #expect(again.status == 2)
        #expect(again.stderr.contains("backup destination exists"))
    }

    @Test func aCorruptDatabaseIsAClearErrorNotACrash() throws {
        let db = temporaryPath("bad.sqlite")
        defer { try? FileManager.default.removeItem(atPath: db) }
        try Data(repeating: 0x7A, count: 4_096).write(to: URL(fileURLWithPath: db))
        let result = try CLI.run(["check", "--db", db, "Fixtures/activities/follow.json"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("not a Herdwatch database or is corrupt"))
    }

    /// Backtest replays through the server's assessment step, so rules on `signature.*` see what the recording
    /// says of each delivery's signature (an envelope's `signature`, else verified).
    @Test func backtestSeesTheSignatureSignalsTheServerSets() throws {
        let candidate = URL(fileURLWithPath: temporaryPath("rules"))
        defer { try? FileManager.default.removeItem(at: candidate) }
        try FileManager.default.copyItem(at: CLI.root.appendingPathComponent("Rules"), to: candidate)
        try """
        rules:
          - id: test.unsigned-rejected
            description: Unsigned deliveries are rejected
            types: [any]
            when: {field: signature.verified, lt: 1}
            action: reject
        """.write(to: candidate.appendingPathComponent("unsigned.yaml"), atomically: true, encoding: .utf8)
        let activity =
            #"{"id": "https://a.example/activities/ID", "type": "Create", "actor": "https://a.example/users/x", "object": {"id": "https://a.example/notes/ID", "type": "Note", "content": "hello", "attributedTo": "https://a.example/users/x"}}"#
        let stream = [
            #"{"id": "signed", "activity": \#(activity.replacingOccurrences(of: "ID", with: "1"))}"#,
            #"{"id": "unsigned", "signature": "unsigned", "activity": \#(activity.replacingOccurrences(of: "ID", with: "2"))}"#,
        ].joined(separator: "\n")
        let path = temporaryPath("stream.ndjson")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try stream.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try CLI.run([
            "backtest", "--rules", candidate.path, "--baseline", "Rules", "--format", "json", path,
        ])
        #expect(result.status == 0)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let changes = try #require(report["action_changes"] as? [[String: Any]])
        #expect(changes.count == 1)
        #expect(changes.first?["from"] as? String == "accept")
        #expect(changes.first?["to"] as? String == "reject")
        #expect(changes.first?["examples"] as? [String] == ["unsigned"])
    }

    @Test func backtestReportsWhatARuleChangeWouldDo() throws {
        // The candidate rule set is the default one without the rules that read reputation (spam-waves.yaml's
        // campaign rules do too).
        let candidate = URL(fileURLWithPath: temporaryPath("rules"))
        defer { try? FileManager.default.removeItem(at: candidate) }
        try FileManager.default.copyItem(at: CLI.root.appendingPathComponent("Rules"), to: candidate)
        try FileManager.default.removeItem(at: candidate.appendingPathComponent("reputation.yaml"))
        try FileManager.default.removeItem(at: candidate.appendingPathComponent("spam-waves.yaml"))

        let json = try CLI.run([
            "backtest", "--rules", candidate.path, "--baseline", "Rules", "--format", "json",
            "Fixtures/streams/wave-2024-02.ndjson",
        ])
        #expect(json.status == 0)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(report["evaluated"] as? Int == 100)
        let baseline = try #require(report["baseline"] as? [String: Int])
        let new = try #require(report["new"] as? [String: Int])
        #expect(baseline["reject", default: 0] > 40)
        #expect(new["reject", default: 0] == 0)
        #expect(baseline.values.reduce(0, +) == 100)
        let rules = try #require(report["rules"] as? [[String: Any]])
        let campaign = try #require(rules.first { $0["rule"] as? String == "reputation.campaign-many-actors" })
        #expect(campaign["new_hits"] as? Int == 0)
        #expect((campaign["no_longer_hit"] as? Int ?? 0) > 40)
        #expect((campaign["no_longer_hit_examples"] as? [String])?.first?.hasPrefix("wave-") == true)

        let text = try CLI.run([
            "backtest", "--rules", candidate.path, "--baseline", "Rules", "Fixtures/streams/wave-2024-02.ndjson",
        ])
        #expect(text.stdout.hasPrefix("Replayed 100 activities"))
        #expect(text.stdout.contains("reject → accept"))
        #expect(text.stdout.contains("reputation.campaign-many-actors: "))
    }
}
