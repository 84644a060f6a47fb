import ActivityPub
import ArgumentParser
import Foundation
import HerdwatchServer
import Intake
import Reputation
import RuleEngine
import Storage

/// `herdwatch-bench stream`: the whole path with memory, over a replayed stream, against a SQLite file.
struct BenchStream: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream",
        abstract: "Replay a generated stream through rules and reputation on a SQLite file; report throughput and memory.",
        discussion: """
            Generates a deterministic NDJSON stream (ordinary posts from thousands of
            accounts, near-duplicate campaigns from new accounts, likes, follows and
            boosts) into a temporary file and replays it: bytes, activity, subject,
            reputation signals, verdict, reputation update, with writes batched into
            the database. Reports activities per second and resident memory.
            Build with -c release; see Benchmarks/README.md.
            """)

    @Option(help: "Activities to replay.")
    var count = 100_000

    @Option(help: ArgumentHelp("Directory of rule files (default: $HERDWATCH_RULES or Rules).", valueName: "dir"))
    var rules: String = RuleDirectory.defaultPath

    @Option(help: ArgumentHelp("Database file (default: a new temporary file, removed afterwards).", valueName: "path"))
    var db: String?

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Option(
        help: ArgumentHelp(
            "The per-activity record of verdicts: off (the server's default), sample (1 %) or all (reputation.record).",
            valueName: "mode"))
    var record: String = "off"

    @Option(help: ArgumentHelp("Memory for cached reputation, in MiB (reputation.cacheMiB).", valueName: "MiB"))
    var cacheMib = Reputation.Configuration.defaultCacheBytes >> 20

    @Option(help: ArgumentHelp("Also keep the generated stream here, to replay it with `herdwatch check --db`.", valueName: "path"))
    var saveStream: String?

    func validate() throws {
        guard count >= 1_000 else { throw ValidationError("--count must be at least 1000") }
        guard cacheMib >= 1 else { throw ValidationError("--cache-mib must be at least 1") }
        guard ["off", "sample", "all"].contains(record) else { throw ValidationError("--record \(record): use off, sample or all") }
    }

    func run() async throws {
        let engine = RuleEngine(ruleSet: try RuleDirectory.load(rules))
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("herdwatch-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: temporary) }
        let streamPath = temporary.appendingPathComponent("stream.ndjson").path
        let databasePath = db ?? temporary.appendingPathComponent("bench.sqlite").path
        try StreamGenerator(count: count).write(to: streamPath)
        if let saveStream {
            try? FileManager.default.removeItem(atPath: saveStream)
            try FileManager.default.copyItem(atPath: streamPath, toPath: saveStream)
        }
        let database = try SQLiteDatabase(path: databasePath)
        let recording: Reputation.Configuration.Recording =
            switch record {
            case "all": .all
            case "sample": .sample(0.01)
            default: .off
            }
        let reputation = Reputation(
            store: SQLiteReputationStore(database: database), configuration: Reputation.Configuration(recording: recording, cacheBytes: cacheMib << 20))
        // The assessment step `herdwatch check --db` and the server use.
        let assessor = Assessor(engines: RuleEngineHolder(engine), reputation: reputation, cases: nil)

        let reader = try InputBatches(file: streamPath)
        var actions: [RuleAction: Int] = [:]
        var samples: [(done: Int, seconds: Double, rssMiB: Double, cpuSeconds: Double)] = []
        let start = ContinuousClock.now
        let cpuAtStart = ProcessUsage.current.cpuSeconds() ?? 0
        var done = 0
        let sampleEvery = count / 10
        // Batches written on a thread of their own while the stream replays, as the server writes them.
        try await reputation.withBackgroundWriter {
            try await ReplayPipeline.run(
                workers: InputBatches.workers,
                next: { reader.next(InputBatches.batchSize) },
                // The same order-independent work as `herdwatch check` does.
                prepare: { entry in entry.prepared { assessor.prepare(replaying: $0, defaultActor: nil, unverified: false) } },
                consume: { batch in
                    let items = try batch.map { try $0.payload.get() }
                    // One store read for the whole batch, then the activities in order.
                    try assessor.prefetch(items)
                    for item in items {
                        let assessment = await assessor.assess(item, prefetched: true)
                        if let failure = assessment.reputationFailure { throw ValidationError("reputation store: \(failure)") }
                        actions[assessment.verdict.action, default: 0] += 1
                        done += 1
                        if done % sampleEvery == 0 {
                            samples.append(
                                (done, seconds(since: start), ProcessUsage.current.residentMiB() ?? 0,
                                    (ProcessUsage.current.cpuSeconds() ?? 0) - cpuAtStart))
                            // A long run shows its figures as it goes, on standard error, so that one stopped early
                            // still has them.
                            let last = samples[samples.count - 1]
                            FileHandle.standardError.write(
                                Data("progress: \(last.done) activities, \(String(format: "%.2f", last.seconds)) s, \(String(format: "%.1f", last.rssMiB)) MiB, \(String(format: "%.1f", last.cpuSeconds)) s CPU\n".utf8))
                        }
                    }
                })
        }
        let elapsed = seconds(since: start)
        let cpu = (ProcessUsage.current.cpuSeconds() ?? 0) - cpuAtStart
        let peak = ProcessUsage.current.peakResidentMiB() ?? 0
        // The write-ahead log holds what is not checkpointed yet (up to 64 MiB): count it with the file.
        let fileSize = Self.fileSize(databasePath) + Self.fileSize(databasePath + "-wal")
        if db == nil { for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: databasePath + suffix) } }

        let rate = Double(done) / elapsed
        switch format {
        case .json:
            let report: [String: Any] = [
                "activities": done, "seconds": elapsed, "activities_per_second": rate, "peak_rss_mib": peak,
                "cpu_seconds": cpu,
                "database_mib": fileSize, "actions": Dictionary(uniqueKeysWithValues: actions.map { ($0.key.rawValue, $0.value) }),
                "samples": samples.map {
                    ["activities": $0.done, "seconds": $0.seconds, "rss_mib": $0.rssMiB, "cpu_seconds": $0.cpuSeconds]
                },
                "target_activities_per_second": 10_000, "meets_target": rate >= 10_000,
            ]
            let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        case .text:
            print("replayed \(done) activities in \(String(format: "%.2f", elapsed)) s: \(Int(rate)) activities/s (target ≥ 10000: \(rate >= 10_000 ? "PASS" : "MISS"))")
            print("CPU: \(String(format: "%.1f", cpu)) s over the replay, \(String(format: "%.2f", cpu / elapsed)) cores on average, \(String(format: "%.0f", cpu / Double(done) * 1e6)) µs per activity")
            print("actions: " + RuleAction.allCases.map { "\($0.rawValue) \(actions[$0, default: 0])" }.joined(separator: ", "))
            print("database: \(String(format: "%.1f", fileSize)) MiB with its write-ahead log; peak RSS \(String(format: "%.1f", peak)) MiB")
            print("resident memory, throughput and CPU per activity along the run (record: \(record)) with a \(cacheMib) MiB cache:")
            var previous = (done: 0, seconds: 0.0, cpu: 0.0)
            for sample in samples {
                let activities = Double(sample.done - previous.done)
                let tenth = activities / max(sample.seconds - previous.seconds, 1e-9)
                // CPU time per activity is steadier than throughput on a machine shared with other work.
                let cpu = (sample.cpuSeconds - previous.cpu) / activities * 1e6
                print("  \(String(format: "%9d", sample.done)) activities  \(String(format: "%7.2f", sample.seconds)) s  \(String(format: "%6.1f", sample.rssMiB)) MiB  \(String(format: "%6.0f", tenth)) activities/s  \(String(format: "%4.0f", cpu)) µs CPU each over this tenth")
                previous = (sample.done, sample.seconds, sample.cpuSeconds)
            }
        }
    }

    private func seconds(since start: ContinuousClock.Instant) -> Double {
        let duration = start.duration(to: .now)
        return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func fileSize(_ path: String) -> Double {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        return Double((attributes?[.size] as? NSNumber)?.int64Value ?? 0) / 1_048_576
    }
}
