import ActivityPub
import ArgumentParser
import Foundation
import Intake
import Reputation
import RuleEngine
import Storage

struct Backtest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay a recorded stream through two rule sets and report what would change.",
        discussion: """
            Each rule set gets fresh reputation (in memory), built as the stream
            replays in order, so reputation rules see what they would have seen live.
            Input is NDJSON as for `check`, read a batch at a time; on a terminal, a
            progress line shows how much of the file is done.
            Example: herdwatch backtest --rules Rules.next --baseline Rules rec.ndjson
            """)

    @Option(help: ArgumentHelp("The rule set to try.", valueName: "dir"))
    var rules: String

    @Option(help: ArgumentHelp("The rule set to compare against (default: $HERDWATCH_RULES or Rules).", valueName: "dir"))
    var baseline: String = RuleOptions.defaultDirectory

    @Option(help: "Output format: text or json.")
    var format: Check.Format = .text

    @Option(help: "Example ids to show per change.")
    var examples: Int = 3

    @Flag(help: "Treat activities without an envelope `signature` as unsigned.")
    var unverified = false

    @Option(
        name: .long,
        help: ArgumentHelp("Start each rule set's follow graph from this database's (read only: nothing is written).", valueName: "path"))
    var db: String?

    @OptionGroup var local: LocalDomainOptions

    @Argument(help: ArgumentHelp("Recorded stream (NDJSON); `-` reads standard input.", valueName: "stream"))
    var stream: String

    /// One activity prepared on a worker for both rule sets, ahead of the in-order replay.
    struct Ready: Sendable {
        var baseline: Assessor.Prepared
        var new: Assessor.Prepared
    }

    func run() async throws {
        // Each rule set gets the server's assessment step with reputation and a follow graph of its own, so both
        // decide as the server would have, signature signals included.
        let startingEdges: [FollowRecord]
        do {
            startingEdges = try db.map { try SQLiteFollowStore(database: try open($0)).edges(limit: LocalFollows.Configuration().capacity) } ?? []
        } catch {
            throw fail("follow graph: \(error)")
        }
        func followStore() -> any FollowStore {
            let store = InMemoryFollowStore()
            try? store.apply(startingEdges.map { .add($0) })
            return store
        }
        let newAssessor = Assessor(
            engines: RuleEngineHolder(RuleEngine(ruleSet: try loadRules(rules))),
            reputation: Reputation(store: InMemoryReputationStore(keepsObservations: false)), cases: nil,
            follows: try local.follows(store: followStore()))
        let baselineAssessor = Assessor(
            engines: RuleEngineHolder(RuleEngine(ruleSet: try loadRules(baseline))),
            reputation: Reputation(store: InMemoryReputationStore(keepsObservations: false)), cases: nil,
            follows: try local.follows(store: followStore(), quiet: true))
        let input = try openInput(stream)
        var comparison = BacktestComparison(examplesPerChange: examples)
        var progress = ProgressBar(totalBytes: input.size)
        let unverified = unverified
        // Read and decoded a batch at a time on the spare cores; both rule sets see the stream in order.
        try await ReplayPipeline.run(
            workers: InputBatches.workers,
            next: { input.next(InputBatches.batchSize) },
            prepare: { entry in
                entry.prepared { envelope in
                    let (input, subject) = Assessor.replay(envelope, defaultActor: nil, unverified: unverified)
                    return Ready(
                        baseline: baselineAssessor.prepare(input, subject: subject), new: newAssessor.prepare(input, subject: subject))
                }
            },
            consume: { batch in
                for item in batch {
                    guard case .success(let ready) = item.payload else {
                        comparison.recordUnreadable()
                        continue
                    }
                    let before = await baselineAssessor.assess(ready.baseline)
                    let after = await newAssessor.assess(ready.new)
                    if let failure = before.reputationFailure ?? after.reputationFailure {
                        throw fail("reputation: \(failure)")
                    }
                    comparison.record(
                        id: item.id ?? before.activityID ?? item.source, baseline: before.verdict, new: after.verdict)
                }
                progress.update(items: comparison.evaluated + comparison.unreadable, bytes: input.bytesRead)
            })
        progress.finish()
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let report = BacktestJSON(comparison: comparison)
            FileHandle.standardOutput.write(try encoder.encode(report) + Data("\n".utf8))
        case .text:
            print(Self.describe(comparison, baseline: baseline, rules: rules))
        }
    }

    static func describe(_ comparison: BacktestComparison, baseline: String, rules: String) -> String {
        var lines = ["Replayed \(comparison.evaluated) activities" + (comparison.unreadable > 0 ? " (\(comparison.unreadable) could not be read)" : "")]
        lines.append("")
        lines.append("action     \(pad(baseline, 12)) \(pad(rules, 12))  change")
        for action in RuleAction.allCases {
            let before = comparison.baselineTotals[action, default: 0]
            let after = comparison.newTotals[action, default: 0]
            let delta = after - before
            lines.append("\(pad(action.rawValue, 10)) \(pad(String(before), 12)) \(pad(String(after), 12))  \(delta > 0 ? "+" : "")\(delta)")
        }
        let changes = comparison.changes
        lines.append("")
        if changes.isEmpty {
            lines.append("No activity changes action.")
        } else {
            lines.append("Activities that change action (\(changes.reduce(0) { $0 + $1.count })):")
            for change in changes {
                lines.append("  \(pad("\(change.from.rawValue) → \(change.to.rawValue)", 18)) \(pad(String(change.count), 6)) e.g. \(change.examples.map(TerminalText.safe).joined(separator: ", "))")
            }
        }
        let ruleChanges = comparison.changedRules
        if !ruleChanges.isEmpty {
            lines.append("")
            lines.append("Rules whose hits change:")
            for change in ruleChanges {
                var line = "  \(change.rule): \(change.baselineHits) → \(change.newHits)"
                if change.newlyHit > 0 { line += "; newly hits \(change.newlyHit), e.g. \(change.newlyHitExamples.joined(separator: ", "))" }
                if change.noLongerHit > 0 { line += "; no longer hits \(change.noLongerHit), e.g. \(change.noLongerHitExamples.joined(separator: ", "))" }
                lines.append(line)
            }
        }
        return lines.joined(separator: "\n")
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}

/// The `--format json` shape of a backtest.
struct BacktestJSON: Encodable {
    var evaluated: Int
    var unreadable: Int
    var baseline: [String: Int]
    var new: [String: Int]
    var actionChanges: [BacktestComparison.ActionChange]
    var rules: [BacktestComparison.RuleChange]

    init(comparison: BacktestComparison) {
        evaluated = comparison.evaluated
        unreadable = comparison.unreadable
        baseline = Dictionary(uniqueKeysWithValues: RuleAction.allCases.map { ($0.rawValue, comparison.baselineTotals[$0, default: 0]) })
        new = Dictionary(uniqueKeysWithValues: RuleAction.allCases.map { ($0.rawValue, comparison.newTotals[$0, default: 0]) })
        actionChanges = comparison.changes
        rules = comparison.changedRules
    }
}

/// A progress line on standard error while a stream replays, when standard error is a terminal: the share of
/// the file read (when its size is known) and the activities done.
struct ProgressBar {
    let totalBytes: Int?
    private let enabled = isatty(STDERR_FILENO) == 1
    private var lastShown = ""

    init(totalBytes: Int?) {
        self.totalBytes = totalBytes
    }

    mutating func update(items: Int, bytes: Int) {
        guard enabled else { return }
        let line: String
        if let totalBytes, totalBytes > 0 {
            let fraction = min(1, Double(bytes) / Double(totalBytes))
            let width = 30
            let filled = Int(Double(width) * fraction)
            let bar = String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
            line = "[\(bar)] \(Int(fraction * 100))% \(items) activities"
        } else {
            line = "\(items) activities"
        }
        guard line != lastShown else { return }
        lastShown = line
        FileHandle.standardError.write(Data("\r\(line)".utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
