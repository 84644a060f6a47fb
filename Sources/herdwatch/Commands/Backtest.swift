import ActivityPub
import ArgumentParser
import Foundation
import Reputation
import RuleEngine

struct Backtest: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay a recorded stream through two rule sets and report what would change.",
        discussion: """
            Each rule set gets fresh reputation (in memory), built as the stream
            replays in order, so reputation rules see what they would have seen live.
            Input is NDJSON as for `check`.
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

    @Argument(help: ArgumentHelp("Recorded stream (NDJSON); `-` reads standard input.", valueName: "stream"))
    var stream: String

    func run() throws {
        let newEngine = RuleEngine(ruleSet: try loadRules(rules))
        let baselineEngine = RuleEngine(ruleSet: try loadRules(baseline))
        let items = try InputReader.items(fromFile: stream)
        let baselineReputation = Reputation(store: InMemoryReputationStore(keepsObservations: false))
        let newReputation = Reputation(store: InMemoryReputationStore(keepsObservations: false))
        var comparison = BacktestComparison(examplesPerChange: examples)
        var progress = ProgressBar(total: items.count)
        for item in items {
            progress.advance()
            guard case .success(let input) = item.payload else {
                comparison.recordUnreadable()
                continue
            }
            let subject = Normalizer.subject(for: input.activity, actor: input.actor)
            let signature = input.signature ?? (unverified ? .unsigned : .verified)
            let at = subject.published ?? Date()
            let before = try baselineReputation.evaluate(subject, with: baselineEngine, signature: signature, at: at)
            let after = try newReputation.evaluate(subject, with: newEngine, signature: signature, at: at)
            comparison.record(id: item.id ?? input.activity.id ?? item.source, baseline: before, new: after)
        }
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
                lines.append("  \(pad("\(change.from.rawValue) → \(change.to.rawValue)", 18)) \(pad(String(change.count), 6)) e.g. \(change.examples.joined(separator: ", "))")
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

/// A one-line progress bar on standard error, shown only when it is a terminal.
struct ProgressBar {
    let total: Int
    private var done = 0
    private let enabled = isatty(STDERR_FILENO) == 1
    private var lastShown = -1

    init(total: Int) {
        self.total = total
    }

    mutating func advance() {
        done += 1
        guard enabled, total > 0 else { return }
        let percent = done * 100 / total
        guard percent != lastShown else { return }
        lastShown = percent
        let width = 30
        let filled = width * done / total
        let bar = String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
        FileHandle.standardError.write(Data("\r[\(bar)] \(percent)% \(done)/\(total)".utf8))
    }

    func finish() {
        guard enabled, total > 0 else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
