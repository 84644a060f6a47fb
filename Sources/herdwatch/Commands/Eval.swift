import ActivityPub
import ArgumentParser
import Foundation
import Intake
import Reputation
import RuleEngine
import Storage

struct Eval: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay a labelled stream and report recall, false positives and precision per slice.",
        discussion: """
            Input: NDJSON envelopes as for `check`, each with "label": "spam" or "ham"
            and "slice": a name (e.g. "wave-2019-replies/test", "ham/newsletters").
            The whole stream replays in order with reputation, exactly as `check --db`
            does; without --db a temporary database is used and deleted afterwards.
            A spam item is caught when it is held or rejected; flagged items are
            forwarded, so they count as missed and are reported apart. For ham, the
            hold/reject rate (false positives) and the flag rate are reported.
            Precision at prevalence p is p·R / (p·R + (1 − p)·F), with R the recall over
            all spam and F the hold/reject rate over all ham.
            Thresholds apply to every slice except those --ignore-slice names.
            Exit status: 0, or 1 when a threshold is missed, 2 on usage errors and on
            items that cannot be read or carry no label.
            Example: herdwatch eval --min-recall 0.95 --max-hold-rate 0.001 corpus.ndjson
            """)

    @OptionGroup var ruleOptions: RuleOptions

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Build and read reputation in this SQLite database (default: a temporary one).", valueName: "path"))
    var db: String?

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Option(
        help: ArgumentHelp(
            "Fail unless every spam slice's recall (held or rejected) is at least this.", valueName: "0…1"))
    var minRecall: Double?

    @Option(help: ArgumentHelp("Fail unless every ham slice's hold/reject rate is at most this.", valueName: "0…1"))
    var maxHoldRate: Double?

    @Option(help: ArgumentHelp("Fail unless every ham slice's flag rate is at most this.", valueName: "0…1"))
    var maxFlagRate: Double?

    @Option(
        help: ArgumentHelp(
            "Report, but do not hold to the thresholds, the slices whose name starts with this.", valueName: "prefix"))
    var ignoreSlice: [String] = []

    @Option(
        help: ArgumentHelp(
            "List up to this many wrong items per slice (spam forwarded, ham held or flagged), with the rules that fired.",
            valueName: "n"))
    var errors = 0

    @OptionGroup var local: LocalDomainOptions

    @Flag(help: "Treat activities without an envelope `signature` as unsigned.")
    var unverified = false

    @Argument(help: ArgumentHelp("Labelled stream (NDJSON); `-` reads standard input.", valueName: "stream"))
    var stream: String

    func validate() throws {
        if errors < 0 { throw ValidationError("--errors is a count of items per slice (e.g. 5), not \(errors)") }
        for (name, value) in [
            ("--min-recall", minRecall), ("--max-hold-rate", maxHoldRate), ("--max-flag-rate", maxFlagRate),
        ] {
            if let value, !(0...1).contains(value) {
                throw ValidationError("\(name) is a rate between 0 and 1 (e.g. 0.95), not \(value)")
            }
        }
    }

    func run() async throws {
        let ruleSet = try loadRules(ruleOptions.rules)
        // Reputation is half of what decides a wave: eval never runs without it.
        let path =
            db
            ?? FileManager.default.temporaryDirectory.appendingPathComponent(
                "herdwatch-eval-\(UUID().uuidString).sqlite"
            ).path
        defer {
            if db == nil {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }
        }
        let database = try open(path)
        let reputation = Reputation(store: SQLiteReputationStore(database: database))
        let follows = try local.follows(store: SQLiteFollowStore(database: database))
        let assessor = Assessor(
            engines: RuleEngineHolder(RuleEngine(ruleSet: ruleSet)), reputation: reputation, cases: nil, follows: follows)
        var tally = EvaluationTally()
        tally.errorsPerSlice = errors
        try await StreamReplay(assessor: assessor, unverified: unverified).run([stream], tag: \.label) {
            source, id, outcome in
            switch outcome {
            case .failure(let error):
                let location = error.message.contains(error.path) ? "" : " (at \(error.path))"
                throw fail(
                    "\(source): cannot be read: \(error.message)\(location); every line of an evaluation stream must be a labelled envelope"
                )
            case .success((_, nil)):
                throw fail(
                    "\(source): the item has no label; add \"label\": \"spam\" or \"ham\" and a \"slice\" to its envelope"
                )
            case .success(let (assessment, label?)):
                guard tally.record(label, verdict: assessment.verdict, source: source, id: id) else {
                    throw fail(
                        "\(source): slice \"\(label.slice)\" already holds items of the other label; a slice is all spam or all ham"
                    )
                }
            }
        }
        guard !tally.slices.isEmpty else { throw fail("\(stream): no labelled items to evaluate") }
        let missed = thresholdsMissed(tally)
        if json {
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            FileHandle.standardOutput.write(try encoder.encode(EvaluationJSON(tally, missed: missed)) + Data("\n".utf8))
        } else {
            print(Self.describe(tally, missed: missed))
        }
        if !missed.isEmpty {
            var standardError = StandardError()
            for line in missed { print("herdwatch: \(line)", to: &standardError) }
            throw ExitCode(1)
        }
    }

    /// Each threshold a slice misses, as a sentence.
    func thresholdsMissed(_ tally: EvaluationTally) -> [String] {
        func checked(_ slice: EvaluationTally.Slice) -> Bool { !ignoreSlice.contains { slice.name.hasPrefix($0) } }
        var missed: [String] = []
        if let minRecall {
            for slice in tally.slices(.spam) where checked(slice) && slice.caughtRate < minRecall {
                missed.append(
                    "spam slice \(slice.name): recall \(Self.rate(slice.caughtRate)) is below --min-recall \(minRecall)"
                )
            }
        }
        for slice in tally.slices(.ham) where checked(slice) {
            if let maxHoldRate, slice.caughtRate > maxHoldRate {
                missed.append(
                    "ham slice \(slice.name): hold/reject rate \(Self.rate(slice.caughtRate)) is above --max-hold-rate \(maxHoldRate)"
                )
            }
            if let maxFlagRate, slice.flagRate > maxFlagRate {
                missed.append(
                    "ham slice \(slice.name): flag rate \(Self.rate(slice.flagRate)) is above --max-flag-rate \(maxFlagRate)"
                )
            }
        }
        return missed
    }

    static func describe(_ tally: EvaluationTally, missed: [String]) -> String {
        let spam = tally.total(.spam)
        let ham = tally.total(.ham)
        let width = max(28, tally.slices.keys.map(\.count).max() ?? 0)
        func row(_ cells: [String]) -> String {
            Backtest.pad(cells[0], width)
                + cells.dropFirst().map { String(repeating: " ", count: max(1, 9 - $0.count)) + $0 }.joined()
        }
        var lines = [
            "Evaluated \(spam.items + ham.items) items: \(spam.items) spam, \(ham.items) ham, in \(tally.slices.count) slices"
        ]
        if spam.items > 0 {
            lines.append("")
            lines.append(row(["spam slice", "items", "caught", "recall", "flagged", "accepted"]))
            for slice in tally.slices(.spam) + [spam] {
                lines.append(
                    row([
                        slice.name, "\(slice.items)", "\(slice.caught)", rate(slice.caughtRate), "\(slice.flagged)",
                        "\(slice.actions[.accept, default: 0])",
                    ]))
            }
        }
        if ham.items > 0 {
            lines.append("")
            lines.append(row(["ham slice", "items", "held", "rate", "flagged", "rate"]))
            for slice in tally.slices(.ham) + [ham] {
                lines.append(
                    row([
                        slice.name, "\(slice.items)", "\(slice.caught)", rate(slice.caughtRate), "\(slice.flagged)",
                        rate(slice.flagRate),
                    ]))
            }
        }
        lines.append("")
        lines.append("caught/held = held or rejected; flagged items are forwarded and counted apart.")
        let precision = [0.01, 0.1].map { prevalence in
            "\(Int(prevalence * 100)) % spam: \(tally.precision(atPrevalence: prevalence).map(rate) ?? "n/a")"
        }
        lines.append(
            "Precision at \(precision.joined(separator: ", ")) (p·R / (p·R + (1 − p)·F), R = \(rate(spam.caughtRate)), F = \(rate(ham.caughtRate)))"
        )
        let wrong = (tally.slices(.spam) + tally.slices(.ham)).filter { !$0.errors.isEmpty }
        if !wrong.isEmpty {
            lines.append("")
            lines.append("Wrong items (the first \(tally.errorsPerSlice) of each slice at most):")
            for slice in wrong {
                lines.append("  \(slice.name)")
                for miss in slice.errors {
                    let rules = miss.rules.isEmpty ? "no rule fired" : miss.rules.joined(separator: ", ")
                    lines.append(
                        "    \(miss.source)  \(miss.action.rawValue) (score \(Self.score(miss.score)))  \(miss.id.map(TerminalText.safe) ?? "no id")  \(rules)")
                }
            }
        }
        if !missed.isEmpty {
            lines.append("")
            lines.append("Thresholds missed:")
            lines += missed.map { "  \($0)" }
        }
        return lines.joined(separator: "\n")
    }

    static func score(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }

    static func rate(_ value: Double) -> String {
        String(format: "%.4f", value)
    }
}

/// The `--json` shape of an evaluation.
struct EvaluationJSON: Encodable {
    struct Slice: Encodable {
        var name: String
        var label: String
        var items: Int
        var actions: [String: Int]
        /// Spam: held or rejected, of all. Ham: the same, the false-positive rate.
        var caughtRate: Double
        var flagRate: Double
        /// The wrong items kept (`--errors`); empty without it.
        var errors: [EvaluationTally.Miss]

        init(_ slice: EvaluationTally.Slice) {
            name = slice.name
            label = slice.kind.rawValue
            items = slice.items
            actions = Dictionary(
                uniqueKeysWithValues: RuleAction.allCases.map { ($0.rawValue, slice.actions[$0, default: 0]) })
            caughtRate = slice.caughtRate
            flagRate = slice.flagRate
            errors = slice.errors
        }
    }

    var slices: [Slice]
    var spam: Slice
    var ham: Slice
    /// Keyed by prevalence ("0.01", "0.1"); null when nothing would be caught.
    var precision: [String: Double?]
    var thresholdsMissed: [String]

    init(_ tally: EvaluationTally, missed: [String]) {
        slices = (tally.slices(.spam) + tally.slices(.ham)).map(Slice.init)
        spam = Slice(tally.total(.spam))
        ham = Slice(tally.total(.ham))
        precision = ["0.01": tally.precision(atPrevalence: 0.01), "0.1": tally.precision(atPrevalence: 0.1)]
        thresholdsMissed = missed
    }
}
