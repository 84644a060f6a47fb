import Foundation
import HerdwatchTestSupport
import Testing

@testable import herdwatch_bench

/// `herdwatch-bench queue`: moderators work a loaded queue through a running server's API.
@Suite("bench queue")
struct QueueBenchTests {
    /// A tiny run end to end: the debug server, 200 cases, 2 moderators for 2 s, no wrk. Not a timing test: it checks
    /// that the moderators got cases, that none was handed out twice, that every decision they were told about is a
    /// closed case in the file, and that the queue page was fetched signed in.
    @Test func aTinyRunWorksTheQueueAndAccountsForEveryDecision() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("queue-bench-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("queue.sqlite").path
        let result = try CLI.run(
            [
                "queue", "--cases", "200", "--moderators", "2", "--duration", "2", "--no-hook", "--page-requests", "4",
                "--format", "json", "--db", path,
            ], executable: "herdwatch-bench")
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(report["cases"] as? Int == 200)
        let handedOut = try #require(report["handed_out"] as? Int)
        #expect(handedOut > 0 && handedOut <= 200)
        #expect(report["duplicates"] as? Int == 0)
        let decisions = try #require(report["decisions"] as? Int)
        #expect(decisions > 0)
        #expect(report["closed_in_database"] as? Int == decisions)
        #expect((report["problems"] as? [String])?.isEmpty == true)
        let work = try #require(report["moderators_alone"] as? [String: Any])
        let next = try #require(work["next"] as? [String: Any])
        #expect((next["count"] as? Int ?? 0) >= handedOut)
        let page = try #require(report["queue_page"] as? [String: Any])
        #expect(page["count"] as? Int == 4)
        #expect(report["hook_alone"] == nil, "--no-hook runs no wrk")
        // The file is kept where --db named it.
        #expect(FileManager.default.fileExists(atPath: path))
    }

    /// Moderators are not in lockstep with jitter: each think time is drawn within ± the jitter, and a jitter larger
    /// than the think time is refused.
    @Test func thinkTimesSpreadOverTheJitter() throws {
        let think = ThinkTime(milliseconds: 1000, jitter: 500)
        let samples = (0..<200).map { _ in think.sample() }
        #expect(samples.allSatisfy { $0 >= .milliseconds(500) && $0 <= .milliseconds(1500) })
        #expect(Set(samples).count > 50)
        #expect(ThinkTime(milliseconds: 1000, jitter: 0).sample() == .milliseconds(1000))
        let refused = try CLI.run(["queue", "--think-ms", "100", "--think-jitter-ms", "200"], executable: "herdwatch-bench")
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("--think-jitter-ms must be between 0 and --think-ms (100)"))
    }

    @Test func aCaseHandedOutTwiceIsCountedAndFailsTheRun() {
        #expect(QueueBench.duplicates(in: [1, 2, 3]) == 0)
        #expect(QueueBench.duplicates(in: [7, 2, 7, 3, 7]) == 2)
        var report = QueueBenchReport(cases: 100, loadSeconds: 1, databaseMiB: 1, moderators: 2, durationSeconds: 1, thinkMilliseconds: 0)
        report.handedOut = 5
        report.duplicates = QueueBench.duplicates(in: [7, 2, 7, 3, 7])
        #expect(report.problems.contains { $0.contains("2 of 5 hand-outs") })
        #expect(report.targets.contains { $0.name == "cases handed out twice" && !$0.pass })
    }

    @Test func theHookDropIsJudgedAgainstTenPerCent() {
        func hook(_ rate: Double) -> QueueBenchReport.Hook {
            QueueBenchReport.Hook(
                ServeLoad.Result(
                    name: "hook", requestsPerSecond: rate, p50: 3, p99: 9, errors: 0, rssStartMiB: nil, rssPeakMiB: nil, rssEndMiB: nil,
                    rssTenthsMiB: [], serverCPUMicroseconds: nil))
        }
        var report = QueueBenchReport(cases: 100, loadSeconds: 1, databaseMiB: 1, moderators: 2, durationSeconds: 1, thinkMilliseconds: 0)
        #expect(report.hookDropPercent == nil)
        report.hookAlone = hook(10_000)
        report.hookWhileModerating = hook(8_500)
        #expect(report.hookDropPercent == 15)
        #expect(report.targets.contains { $0.name == "hook throughput drop %" && !$0.pass })
        report.hookWhileModerating = hook(9_500)
        #expect(report.targets.contains { $0.name == "hook throughput drop %" && $0.pass })
    }

    @Test func theBenchIsListedDocumentedAndHasAMakeTarget() throws {
        let help = try CLI.run(["--help"], executable: "herdwatch-bench")
        #expect(help.stdout.contains("  queue "))
        let readme = try String(contentsOf: CLI.root.appendingPathComponent("Benchmarks/README.md"), encoding: .utf8)
        #expect(readme.split(separator: "\n").contains { $0.hasPrefix("## ") && $0.hasSuffix(": `herdwatch-bench queue`") })
        let makefile = try String(contentsOf: CLI.root.appendingPathComponent("Makefile"), encoding: .utf8)
        #expect(makefile.contains("bench-queue: bench-build\n\t$(BENCH) queue $(BENCH_ARGS)"))
        // The target builds first: `bench-build` must be a rule of its own, not a name nothing defines.
        #expect(makefile.split(separator: "\n").contains { $0.hasPrefix("bench-build:") })
    }
}
