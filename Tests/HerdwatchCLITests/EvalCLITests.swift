import Foundation
import HerdwatchTestSupport
import Testing

@Suite("herdwatch eval", .serialized)
struct EvalCLITests {
    func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("herdwatch-eval-\(UUID().uuidString)-\(name)")
            .path
    }

    /// The February 2024 fixture stream with labels: its `wave-` items spam in slice `wave`, the others ham in
    /// slice `people`.
    func labelledWave() throws -> String {
        let lines = try String(
            contentsOfFile: CLI.root.appendingPathComponent("Fixtures/streams/wave-2024-02.ndjson").path,
            encoding: .utf8
        ).split(separator: "\n")
        let file = temporaryPath("labelled.ndjson")
        let labelled = lines.map { line in
            let spam = line.hasPrefix(#"{"id":"wave-"#)
            return #"{"label":"\#(spam ? "spam" : "ham")","slice":"\#(spam ? "wave" : "people")","# + line.dropFirst()
        }
        try labelled.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    func slices(_ report: [String: Any]) -> [String: [String: Any]] {
        Dictionary(
            uniqueKeysWithValues: (report["slices"] as? [[String: Any]] ?? []).map { ($0["name"] as! String, $0) })
    }

    /// The replay builds reputation as it goes (the campaign rule needs five accounts on two servers first), so
    /// eval sees the same wave `check --db` catches: the first posts pass, the rest are held.
    @Test func reportsRecallFalsePositivesAndPrecisionWithReputation() throws {
        let file = try labelledWave()
        defer { try? FileManager.default.removeItem(atPath: file) }
        let result = try CLI.run(["eval", "--json", file])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try CLI.jsonLines(result.stdout).first)
        let wave = try #require(slices(report)["wave"])
        let people = try #require(slices(report)["people"])
        #expect(wave["label"] as? String == "spam")
        #expect(wave["items"] as? Int == 60)
        let actions = try #require(wave["actions"] as? [String: Int])
        let caught = actions["hold", default: 0] + actions["reject", default: 0]
        // Without reputation only a handful would be held: the campaign rule is what catches this wave.
        #expect(caught >= 50)
        #expect(abs((wave["caught_rate"] as? Double ?? -1) - Double(caught) / 60) < 1e-9)
        #expect(people["items"] as? Int == 40)
        #expect(people["caught_rate"] as? Double == 0)
        #expect(people["flag_rate"] as? Double == 0)
        // No false positives: precision is 1 at any prevalence.
        let precision = try #require(report["precision"] as? [String: Double])
        #expect(precision == ["0.01": 1, "0.1": 1])

        let text = try CLI.run(["eval", file])
        #expect(text.status == 0)
        #expect(text.stdout.hasPrefix("Evaluated 100 items: 60 spam, 40 ham, in 2 slices"))
        let waveRow = try #require(text.stdout.split(separator: "\n").first { $0.hasPrefix("wave ") })
        #expect(
            waveRow.split(separator: " ").map(String.init) == [
                "wave", "60", "\(caught)", String(format: "%.4f", Double(caught) / 60),
                "\(actions["flag", default: 0])", "\(actions["accept", default: 0])",
            ])
        #expect(text.stdout.contains("Precision at 1 % spam: 1.0000, 10 % spam: 1.0000"))
    }

    /// `--errors N` names the items the rules got wrong (where they are, what was decided, which rules fired), so a
    /// rule author can look at them; spam caught and ham accepted are never listed.
    @Test func errorsListTheWrongItemsWithTheirRules() throws {
        let file = try labelledWave()
        defer { try? FileManager.default.removeItem(atPath: file) }
        let result = try CLI.run(["eval", "--json", "--errors", "3", file])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try CLI.jsonLines(result.stdout).first)
        let wave = try #require(slices(report)["wave"])
        let missed = (wave["actions"] as? [String: Int] ?? [:]).filter { $0.key == "accept" || $0.key == "flag" }
            .values.reduce(0, +)
        try #require(missed > 0, "the first posts of the wave pass before reputation catches up")
        let errors = try #require(wave["errors"] as? [[String: Any]])
        #expect(errors.count == min(3, missed))
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        for error in errors {
            #expect(["accept", "flag"].contains(error["action"] as? String))
            // The source names the line, and that line is a spam item of the slice.
            let source = try #require(error["source"] as? String)
            let line = try #require(Int(source.split(separator: ":").last ?? ""))
            #expect(source.hasPrefix(file))
            #expect(lines[line - 1].contains(#""label":"spam","slice":"wave""#))
            #expect(error["rules"] is [String])
        }
        #expect((slices(report)["people"]?["errors"] as? [Any])?.isEmpty == true)

        let text = try CLI.run(["eval", "--errors", "2", file])
        #expect(text.stdout.contains("Wrong items (the first 2 of each slice at most):\n  wave\n    \(file):"))
        let none = try CLI.run(["eval", file])
        #expect(!none.stdout.contains("Wrong items"))
        let bad = try CLI.run(["eval", "--errors=-1", file])
        #expect(bad.status != 0 && bad.status != 1)
        #expect(bad.stderr.contains("--errors is a count of items per slice"))
    }

    @Test func thresholdsSetTheExitStatusAndNameTheSlice() throws {
        let file = try labelledWave()
        defer { try? FileManager.default.removeItem(atPath: file) }
        let strict = try CLI.run(["eval", "--min-recall", "1", "--max-hold-rate", "0", "--max-flag-rate", "0", file])
        #expect(strict.status == 1)
        #expect(strict.stderr.contains("herdwatch: spam slice wave: recall "))
        #expect(strict.stderr.contains(" is below --min-recall 1.0"))
        #expect(!strict.stderr.contains("people"))
        #expect(strict.stdout.contains("Thresholds missed:"))

        let ignored = try CLI.run(["eval", "--min-recall", "1", "--ignore-slice", "wa", file])
        #expect(ignored.status == 0, "\(ignored.stderr)")
        let met = try CLI.run(["eval", "--min-recall", "0.8", "--max-hold-rate", "0", file])
        #expect(met.status == 0, "\(met.stderr)")
        let bad = try CLI.run(["eval", "--min-recall", "95", file])
        #expect(bad.status != 0 && bad.status != 1)
        #expect(bad.stderr.contains("--min-recall is a rate between 0 and 1"))
    }

    /// With --db the reputation built stays in the database, as for `check --db`: a second eval starts from it and
    /// catches the wave from its first post.
    @Test func aDatabaseKeepsWhatTheReplayLearnt() throws {
        let file = try labelledWave()
        let db = temporaryPath("eval.sqlite")
        defer {
            try? FileManager.default.removeItem(atPath: file)
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) }
        }
        let first = try CLI.jsonLines(try CLI.run(["eval", "--json", "--db", db, file]).stdout).first
        let second = try CLI.jsonLines(try CLI.run(["eval", "--json", "--db", db, file]).stdout).first
        let recall = { (report: [String: Any]?) in (report?["spam"] as? [String: Any])?["caught_rate"] as? Double ?? -1
        }
        #expect(recall(first) < 1)
        #expect(recall(second) > recall(first))
    }

    @Test func anItemWithoutALabelIsAnErrorNamingItsLine() throws {
        let file = try labelledWave()
        defer { try? FileManager.default.removeItem(atPath: file) }
        var lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map(String.init)
        lines[6] = lines[6].replacingOccurrences(of: #""label":"#, with: #""note":"#)
        try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let result = try CLI.run(["eval", file])
        #expect(result.status == 2)
        #expect(result.stderr.contains("\(file):7: the item has no label; add \"label\": \"spam\" or \"ham\""))

        lines[6] = lines[6].replacingOccurrences(of: #""note":"#, with: #""label":"#)
            .replacingOccurrences(of: #""label":"spam""#, with: #""label":"maybe""#)
            .replacingOccurrences(of: #""label":"ham""#, with: #""label":"maybe""#)
        try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let wrong = try CLI.run(["eval", file])
        #expect(wrong.status == 2)
        #expect(wrong.stderr.contains("\(file):7: cannot be read: the envelope's label must be \"spam\" or \"ham\""))
    }
}
