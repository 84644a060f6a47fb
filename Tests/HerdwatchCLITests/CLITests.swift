import Foundation
import HerdwatchTestSupport
import Testing

@Suite("herdwatch check", .serialized)
struct CheckCommandTests {
    @Test func explainsAHeldActivityAndExitsOne() throws {
        let result = try CLI.run(["check", "Fixtures/activities/spam_nicole_dm.json"])
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("Fixtures/activities/spam_nicole_dm.json: HOLD (score 8)") == true)
        #expect(lines.contains { $0.contains("+ dm.nicole  +8") })
        #expect(lines.contains { $0.contains("[nicole, the fediverse chick]") })
        #expect(lines.contains { $0.contains("visibility = direct (is direct)") })
    }

    /// Ids and excerpts are the sender's text: an escape sequence or a bidirectional override in them is printed
    /// as `\u{XX}`, never sent to the operator's terminal.
    @Test func textOutputEscapesControlCharactersFromTheActivity() throws {
        let line = #"{"id":"evil\u001b]0;owned\u0007\u202e","activity":{"id":"https://spam.example/a/1","type":"Create","actor":"https://spam.example/users/x","object":{"type":"Note","content":"free spins \u001b[2J\u202etoday"}}}"#
        let result = try CLI.run(["check", "-"], stdin: line)
        let printed = result.stdout.unicodeScalars.filter { $0 != "\n" }
        #expect(!printed.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0.value == 0x202E })
        #expect(result.stdout.contains(#"evil\u{1B}]0;owned\u{7}\u{202E}"#), "\(result.stdout)")
        // The excerpt is of the folded text (lower case, invisible characters removed); the escape stays visible.
        #expect(result.stdout.contains(#"[free spins] \u{1B}[2jtoday"#), "\(result.stdout)")
    }

    @Test func acceptedActivitiesExitZero() throws {
        let result = try CLI.run(["check", "Fixtures/activities/legit_thread_22_mentions.json"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("ACCEPT (score 0)"))
        #expect(result.stdout.contains("no rule fired"))
    }

    @Test func ndjsonStreamGivesOneJSONVerdictPerLineAndSurvivesBadLines() throws {
        let activity = try String(contentsOf: CLI.root.appendingPathComponent("Fixtures/activities/spam_nicole_dm.json"), encoding: .utf8)
        let compact = try JSONSerialization.data(withJSONObject: try JSONSerialization.jsonObject(with: Data(activity.utf8)))
        let line = String(decoding: compact, as: UTF8.self)
        let stream = [
            #"{"id": "env-1", "activity": \#(line), "headers": {"Signature": "x"}}"#,
            #"{"id": "broken", "activity": {"type": "Create", "object": "#,
            line,
            #"{"type": "Follow", "actor": "https://a.example/users/x", "object": "https://b.example/users/y"}"#,
        ].joined(separator: "\n")
        let result = try CLI.run(["check", "--format", "json", "-"], stdin: stream)
        #expect(result.status == 1)
        let verdicts = try CLI.jsonLines(result.stdout)
        #expect(verdicts.count == 4)
        #expect(verdicts[0]["id"] as? String == "env-1")
        #expect(verdicts[0]["action"] as? String == "hold")
        #expect(verdicts[0]["source"] as? String == "stdin:1")
        #expect((verdicts[0]["hits"] as? [[String: Any]])?.first?["rule"] as? String == "dm.nicole")
        #expect((verdicts[0]["ruleset_version"] as? String)?.count == 16)
        #expect(verdicts[1]["action"] is NSNull)
        #expect(verdicts[1]["source"] as? String == "stdin:2")
        #expect((verdicts[1]["error"] as? [String: Any])?["code"] as? String == "invalidJSON")
        #expect(verdicts[2]["id"] as? String == "https://open-reg.example/users/kq3vxz8r1m/statuses/113500000000000035/activity")
        #expect(verdicts[3]["action"] as? String == "accept")
    }

    @Test func onlyUnreadableInputExitsThree() throws {
        let result = try CLI.run(["check", "-"], stdin: "not json\n")
        #expect(result.status == 3)
        #expect(result.stdout.hasPrefix("stdin:1: ERROR"))
    }

    @Test func everyMalformedFixtureGetsAnErrorNotACrash() throws {
        let folder = CLI.root.appendingPathComponent("Fixtures/malformed")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted()
        #expect(files.count >= 5)
        for file in files {
            let result = try CLI.run(["check", "--format", "json", "Fixtures/malformed/\(file)"])
            #expect(result.status == 3 || result.status == 0, "\(file): exit \(result.status) \(result.stderr)")
            #expect(!result.stdout.isEmpty, "\(file) printed nothing")
        }
    }

    @Test func aMissingFileOrBrokenRulesAreUsageErrors() throws {
        let missing = try CLI.run(["check", "no/such/file.json"])
        #expect(missing.status == 2 || missing.status == 64)
        #expect(missing.stderr.contains("cannot read no/such/file.json"))
        let badRules = try CLI.run(["check", "--rules", "no/such/rules", "Fixtures/activities/follow.json"])
        #expect(badRules.status == 2)
        #expect(badRules.stderr.contains("rule directory not found"))
    }

    @Test func actorDocumentFeedsActorRules() throws {
        let without = try CLI.run(["check", "--format", "json", "Fixtures/activities/spam_feb2024_link_then_mentions.json"])
        let with = try CLI.run([
            "check", "--format", "json", "--actor", "Fixtures/actors/new_random_username.json",
            "Fixtures/activities/spam_feb2024_link_then_mentions.json",
        ])
        let rules = { (output: CLI.Output) in
            ((try? CLI.jsonLines(output.stdout))?.first?["hits"] as? [[String: Any]])?.compactMap { $0["rule"] as? String } ?? []
        }
        #expect(!rules(without).contains("actor.throwaway-shape"))
        #expect(rules(with).contains("actor.throwaway-shape"))
    }
}

@Suite("herdwatch rules", .serialized)
struct RulesCommandTests {
    func temporaryRules(_ contents: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("herdwatch-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try contents.write(to: directory.appendingPathComponent("rules.yaml"), atomically: true, encoding: .utf8)
        return directory
    }

    @Test func lintPassesOnTheDefaultRules() throws {
        let result = try CLI.run(["rules", "lint", "Rules"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("ok: "))
    }

    @Test func lintReportsFileLineColumnAndHint() throws {
        let directory = try temporaryRules(
            """
            rules:
              - id: a
                description: a
                types: [Create]
                when: {regex: 'casino('}
                scor: 2
            """)
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try CLI.run(["rules", "lint", directory.path])
        #expect(result.status == 1)
        let file = directory.appendingPathComponent("rules.yaml").path
        #expect(result.stdout.contains("\(file):5:19: error: regex does not compile: missing closing parenthesis at offset 7"))
        #expect(result.stdout.contains("\(file):6:5: error: unknown key `scor` in a rule\n    hint: did you mean `score`?"))
        #expect(result.stdout.contains("\(file):2:5: error: rule `a` has neither `score` nor `action`"))
        #expect(result.stdout.hasSuffix("3 error(s), 0 warning(s)\n"))
    }

    @Test func testRunsExamplesAndReportsFailures() throws {
        let directory = try temporaryRules(
            """
            rules:
              - id: casino
                description: casino
                types: [Create]
                when: {regex: 'casino'}
                score: 2
                examples:
                  match: ["CASINO night", "poker night"]
                  no_match: ["bingo"]
            """)
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try CLI.run(["rules", "test", directory.path])
        #expect(result.status == 1)
        #expect(result.stdout.contains("FAIL casino match at \(directory.path)/rules.yaml:8:31: expected the rule to fire; it did not"))
        #expect(result.stdout.hasSuffix("2 passed, 1 failed\n"))
    }

    @Test func testPassesOnTheDefaultRules() throws {
        let result = try CLI.run(["rules", "test", "Rules"])
        #expect(result.status == 0)
        #expect(result.stdout.contains(" passed, 0 failed"))
    }
}

@Suite("herdwatch serve, refusing to start")
struct ServeRefusalTests {
    /// A demo stream that is not there is said at once, and the server does not start (it used to hang before
    /// listening, deaf to SIGTERM).
    @Test func aMissingDemoFileIsAClearErrorNotAHang() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("herdwatch-demo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["serve", "--demo", "--port", "0", "--db", folder.appendingPathComponent("h.sqlite").path]
        process.environment = ProcessInfo.processInfo.environment.merging(["HERDWATCH_DEMO_FILE": "nope.ndjson"]) { $1 }
        process.currentDirectoryURL = CLI.root
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            process.interrupt()
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus != 0)
        #expect(output.contains("demo: cannot read nope.ndjson"), "\(output)")
    }
}
