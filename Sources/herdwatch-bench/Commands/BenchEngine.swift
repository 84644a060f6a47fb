import ActivityPub
import ArgumentParser
import Foundation
import Matching
import RuleEngine

/// `herdwatch-bench` (`herdwatch-bench engine`): the rule engine alone, on a generated rule set.
struct BenchEngine: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Measure rule evaluation speed on a generated spam rule set (the default).",
        discussion: """
            Generates 1,000 realistic spam regexes and a 3 KB Mastodon Create{Note}, then
            times, on a text that matches no rule and on one that fires 3 to 5:
              (a) engine.evaluate(prepared)   a normalised, folded subject
              (b) engine.evaluate(activity:)  the whole path, JSON bytes to verdict
              (c) prefilter: false            the naive loop, one PCRE2 call per rule
              (d) decode + normalise + fold   (b) without the evaluation
            It first checks that (a), (b) and (c) give identical verdicts.
            Build with -c release; see Benchmarks/README.md.
            Exit status: 0 after measuring (targets met or not), 1 when verdicts
            disagree or the texts do not fire the expected rules, 2 on usage errors.
            """)

    @Option(help: "Timed iterations of (a), (b) and (d); (c) runs a tenth as many (at least 10).")
    var iterations = 2000

    @Option(help: "How many rules to generate.")
    var rulesCount = 1000

    @Option(help: "Output format: text (a table) or json.")
    var format: OutputFormat = .text

    func validate() throws {
        guard iterations >= 10 else { throw ValidationError("--iterations must be at least 10 to give percentiles") }
        guard rulesCount >= 50 else {
            throw ValidationError("--rules-count must be at least 50 so the spam text can fire 3 to 5 rules")
        }
    }

    func run() throws {
        var generator = SpamRuleGenerator()
        let generated = try generator.rules(count: rulesCount)
        let ruleSet = RuleSet(rules: generated.map(\.rule), version: "bench-\(rulesCount)")
        let clock = ContinuousClock()
        var start = clock.now
        let engine = RuleEngine(ruleSet: ruleSet)
        let prefilterCompile = start.duration(to: clock.now)
        start = clock.now
        let naive = RuleEngine(ruleSet: ruleSet, prefilter: false)
        let naiveCompile = start.duration(to: clock.now)

        let noMatch = BenchNote.activity()
        let spam = try Self.spamSentences(from: generated, engine: engine)
        let fewMatches = BenchNote.activity(spam: spam.sentences)
        let texts = [("no-match", noMatch), ("few-matches", fewMatches)]
        var subjects: [Subject] = []
        for (name, bytes) in texts {
            let subject = try Self.subject(bytes)
            let verdict = engine.evaluate(subject)
            try Self.expect(verdict == naive.evaluate(subject), "\(name): prefilter and naive verdicts differ")
            let wholePath = try engine.evaluate(activity: bytes)
            try Self.expect(verdict == wholePath, "\(name): whole-path verdict differs")
            try Self.expect(verdict.errors.isEmpty, "\(name): rules failed: \(verdict.errors.map(\.rule))")
            subjects.append(subject)
        }
        let nominated = subjects.map { engine.nominatedRuleCount(engine.prepare($0)) }
        let noMatchFired = Self.fired(engine.evaluate(subjects[0]))
        try Self.expect(noMatchFired.isEmpty, "no-match text fires \(noMatchFired); the generated vocabulary overlaps it")
        try Self.expect(
            (3...5).contains(spam.fired.count), "few-matches text fires \(spam.fired.count) rules, not 3 to 5")

        let naiveIterations = max(10, iterations / 10)
        var rows: [BenchReport.Row] = []
        for (index, (name, bytes)) in texts.enumerated() {
            let subject = subjects[index]
            let prepared = engine.prepare(subject)
            let operations: [(String, String, Int, () throws -> Void)] = [
                ("a", "engine.evaluate(prepared)", iterations, { _ = engine.evaluate(prepared) }),
                ("b", "engine.evaluate(activity: bytes)", iterations, { _ = try engine.evaluate(activity: bytes) }),
                ("c", "naive: one PCRE2 call per rule", naiveIterations, { _ = naive.evaluate(subject) }),
                ("d", "decode + Normalizer + prepare", iterations, { _ = engine.prepare(try Self.subject(bytes)) }),
            ]
            for (measurement, operation, count, body) in operations {
                let summary = try LatencySampler.measure(iterations: count, body)
                rows.append(BenchReport.Row(measurement: measurement, operation: operation, text: name, summary: summary))
            }
        }
        rows.sort { ($0.measurement, $0.text == "no-match" ? 0 : 1) < ($1.measurement, $1.text == "no-match" ? 0 : 1) }

        func median(_ measurement: String, _ text: String) -> Double {
            rows.first { $0.measurement == measurement && $0.text == text }!.summary.medianMicroseconds
        }
        let speedup = median("c", "no-match") / median("a", "no-match")
        let coverage = engine.prefilterCoverage
        let report = BenchReport(
            date: ISO8601DateFormatter().string(from: Date()), processors: ProcessInfo.processInfo.activeProcessorCount,
            pcre2JIT: Pattern.jitAvailable, rules: rulesCount, prefilteredPatterns: coverage.prefiltered,
            pcre2OnlyPatterns: coverage.pcre2Only,
            prefilterCompileSeconds: LatencySampler.microseconds(prefilterCompile) / 1e6,
            naiveCompileSeconds: LatencySampler.microseconds(naiveCompile) / 1e6, noMatchBytes: noMatch.count,
            fewMatchesBytes: fewMatches.count, fewMatchesRules: spam.fired,
            nominatedRules: nominated, rows: rows, naiveOverPrefilter: speedup,
            targets: [
                .init(goal: "(a) median ≤ 10 µs, no-match", measured: median("a", "no-match"), bound: 10, unit: "µs"),
                .init(goal: "(a) median ≤ 10 µs, few-matches", measured: median("a", "few-matches"), bound: 10, unit: "µs"),
                .init(goal: "(b) median ≤ 60 µs, no-match", measured: median("b", "no-match"), bound: 60, unit: "µs"),
                .init(goal: "(b) median ≤ 60 µs, few-matches", measured: median("b", "few-matches"), bound: 60, unit: "µs"),
                .init(goal: "(c)/(a) ≥ 100×, no-match", measured: speedup, bound: 100, unit: "×", atLeast: true),
            ])
        try format.print(report)
    }

    private static func subject(_ bytes: [UInt8]) throws -> Subject {
        Normalizer.subject(for: try Activity.decode(bytes), actor: nil)
    }

    private static func fired(_ verdict: Verdict) -> [String] {
        (verdict.hits + verdict.shadowHits).map(\.rule)
    }

    private static func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        guard !condition else { return }
        printToStandardError("herdwatch-bench: \(message())")
        throw ExitCode(1)
    }

    /// Example sentences of a few generated rules, added one at a time while the text fires at most five rules,
    /// until it fires four.
    private static func spamSentences(
        from generated: [SpamRuleGenerator.Generated], engine: RuleEngine
    ) throws -> (sentences: [String], fired: [String]) {
        let preferred: [SpamRuleGenerator.Kind] = [
            .phrase, .link, .contact, .easyMoney, .obfuscated, .callToAction, .unspaced, .shortener, .wordList,
        ]
        var sentences: [String] = []
        var fired: [String] = []
        for kind in preferred where fired.count < 4 {
            for candidate in generated.lazy.filter({ $0.kind == kind }).prefix(10) {
                let trial = sentences + [candidate.example]
                let names = Self.fired(engine.evaluate(try subject(BenchNote.activity(spam: trial))))
                if names.count > fired.count, names.count <= 5 {
                    sentences = trial
                    fired = names
                    break
                }
            }
        }
        return (sentences, fired)
    }
}
