import Foundation
import HerdwatchTestSupport
import Reputation
import Storage
import Testing

/// The benchmarks are their own executable; `herdwatch` keeps only what an operator runs.
@Suite("herdwatch-bench", .serialized)
struct BenchCommandTests {
    @Test func theBenchmarksLeftTheMainCommand() throws {
        let help = try CLI.run(["--help"])
        #expect(help.status == 0)
        let subcommands = help.stdout.components(separatedBy: "SUBCOMMANDS:").last ?? ""
        #expect(subcommands.contains("  check "))
        #expect(!subcommands.contains("  bench "))
        let bench = try CLI.run(["bench"])
        #expect(bench.status != 0)
    }

    @Test func theBenchExecutableHasEverySubcommand() throws {
        let help = try CLI.run(["--help"], executable: "herdwatch-bench")
        #expect(help.status == 0)
        for subcommand in ["stream", "serve", "json", "media"] {
            #expect(help.stdout.contains("  \(subcommand) "), "herdwatch-bench --help does not list \(subcommand)")
        }
    }

    /// A small run of the rule-engine benchmark: it checks that every path gives the same verdicts first.
    @Test func ruleEngineBenchRunsAndReportsEveryMeasurement() throws {
        let result = try CLI.run(["--rules-count", "50", "--iterations", "10", "--format", "json"], executable: "herdwatch-bench")
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let rows = try #require(report["rows"] as? [[String: Any]])
        #expect(Set(rows.compactMap { $0["measurement"] as? String }) == ["a", "b", "c", "d"])
    }

    @Test func streamBenchReadsRulesThroughIntake() throws {
        let result = try CLI.run(["stream", "--rules", "no/such/rules"], executable: "herdwatch-bench")
        #expect(result.status != 0)
        #expect(result.stderr.contains("rule directory not found"))
        #expect(result.stderr.contains("herdwatch rules lint no/such/rules"))
    }
}

/// Options of a subcommand reach it: the root has none of its own to take them.
@Suite("herdwatch-bench options")
struct BenchOptionTests {
    @Test func streamPrintsJSONWhenAskedTo() throws {
        let result = try CLI.run(["stream", "--count", "1000", "--format", "json"], executable: "herdwatch-bench")
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(report["activities"] as? Int == 1000)
    }

    /// The stream bench records verdicts as the server would be told to: not at all by default, every one with
    /// `--record all`.
    @Test func streamRecordsVerdictsOnlyWhenAsked() async throws {
        for (mode, expected) in [("off", 0), ("all", 1000)] {
            let path = temporaryDatabasePath()
            defer { removeDatabase(at: path) }
            let result = try CLI.run(["stream", "--count", "1000", "--record", mode, "--db", path], executable: "herdwatch-bench")
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("(record: \(mode))"))
            let store = SQLiteReputationStore(database: try SQLiteDatabase(path: path))
            #expect(try store.observations(limit: 2_000).count == expected, "--record \(mode)")
        }
        let refused = try CLI.run(["stream", "--record", "some"], executable: "herdwatch-bench")
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("--record some: use off, sample or all"))
    }
}

/// `herdwatch-bench media` times real inspection: its figures are only worth reporting while the QR codes are
/// actually read, so a small run checks each mode did what it says.
@Suite("herdwatch-bench media")
struct BenchMediaTests {
    @Test func everyModeRunsAndTheInspectedOnesReadTheQRCode() throws {
        let result = try CLI.run(
            [
                "media", "--count", "20", "--slow-count", "2", "--slow-timeout-ms", "200", "--slow-delay-ms", "1500",
                "--format", "json",
            ], executable: "herdwatch-bench")
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let rows = try #require(report["modes"] as? [[String: Any]])
        let modes = Dictionary(
            uniqueKeysWithValues: rows.compactMap { row in (row["mode"] as? String).map { ($0, row) } })
        #expect(Set(modes.keys) == ["off", "cached", "fetched", "slow"])
        func value(_ mode: String, _ key: String) -> Int? { modes[mode]?[key] as? Int }
        for mode in ["off", "cached", "fetched"] {
            #expect(value(mode, "deliveries") == 20, "mode \(mode)")
            let median = try #require(modes[mode]?["median_ms"] as? Double)
            let p99 = try #require(modes[mode]?["p99_ms"] as? Double)
            #expect(median > 0 && median <= p99, "mode \(mode)")
        }
        // Inspection off reads nothing; on, every verdict saw the link in the image.
        #expect(value("off", "links_from_media") == 0)
        #expect(value("off", "image_requests") == 0)
        #expect(value("cached", "links_from_media") == 20)
        #expect(value("fetched", "links_from_media") == 20)
        // Cached: the image is not fetched again; fetched: once per delivery.
        #expect(value("cached", "image_requests") == 0)
        #expect(value("fetched", "image_requests") == 20)
        // Too slow: each delivery waited for the deadline (not for the image) and was assessed without it.
        #expect(value("slow", "deliveries") == 2)
        #expect(value("slow", "links_from_media") == 0)
        let slowMedian = try #require(modes["slow"]?["median_ms"] as? Double)
        #expect(slowMedian >= 200 && slowMedian < 1_500)
    }
}
