import Foundation

/// What `herdwatch-bench` measured, printable as text or JSON.
struct BenchReport: Encodable, TextReport {
    struct Row: Encodable {
        /// `a`, `b`, `c` or `d`, as in the README.
        var measurement: String
        var operation: String
        var text: String
        var summary: LatencySampler.Summary
    }

    /// A goal from the performance issue and whether this run met it.
    struct Target: Encodable {
        var goal: String
        var measured: Double
        var bound: Double
        var unit: String
        var atLeast: Bool
        var pass: Bool

        init(goal: String, measured: Double, bound: Double, unit: String, atLeast: Bool = false) {
            self.goal = goal
            self.measured = measured
            self.bound = bound
            self.unit = unit
            self.atLeast = atLeast
            self.pass = atLeast ? measured >= bound : measured <= bound
        }
    }

    var date: String
    var processors: Int
    var pcre2JIT: Bool
    var rules: Int
    var prefilteredPatterns: Int
    var pcre2OnlyPatterns: Int
    var prefilterCompileSeconds: Double
    var naiveCompileSeconds: Double
    var noMatchBytes: Int
    var fewMatchesBytes: Int
    var fewMatchesRules: [String]
    /// Rules the prefilter hands to PCRE2 (and the other conditions) for each text, no-match first.
    var nominatedRules: [Int]
    var rows: [Row]
    /// (c) / (a) medians on the text that matches no rule.
    var naiveOverPrefilter: Double
    var targets: [Target]

    var text: String {
        var lines = [
            "herdwatch-bench  \(date)  \(processors) processors  PCRE2 JIT \(pcre2JIT ? "on" : "off")",
            "rules: \(rules) generated; prefilter covers \(prefilteredPatterns) patterns, \(pcre2OnlyPatterns) run "
                + "through PCRE2 only; compile \(Self.decimal(prefilterCompileSeconds, 2)) s (prefilter), "
                + "\(Self.decimal(naiveCompileSeconds, 2)) s (naive)",
            "texts: no-match \(noMatchBytes) bytes; few-matches \(fewMatchesBytes) bytes, fires "
                + "\(fewMatchesRules.count) rules (\(fewMatchesRules.joined(separator: ", ")))",
            "prefilter nominates \(nominatedRules.first ?? 0) rules on no-match, \(nominatedRules.last ?? 0) on "
                + "few-matches; PCRE2 confirms only those",
            "verdicts: prefilter, naive and whole path agree on both texts",
            "",
            Self.columns("", "operation", "text", "iterations", "median µs", "p90 µs", "p99 µs"),
        ]
        for row in rows {
            lines.append(
                Self.columns(
                    "(\(row.measurement))", row.operation, row.text, "\(row.summary.iterations)",
                    Self.decimal(row.summary.medianMicroseconds, 1), Self.decimal(row.summary.p90Microseconds, 1),
                    Self.decimal(row.summary.p99Microseconds, 1)))
        }
        lines += ["", "(c)/(a) on no-match: \(Self.decimal(naiveOverPrefilter, 0))×", "", "targets (one core):"]
        for target in targets {
            let measured = Self.decimal(target.measured, target.unit == "×" ? 0 : 1) + " " + target.unit
            var line = "  " + target.goal.padding(toLength: 44, withPad: " ", startingAt: 0)
                + measured.padding(toLength: 12, withPad: " ", startingAt: 0) + (target.pass ? "PASS" : "MISS")
            if !target.pass {
                let factor = target.atLeast ? target.bound / target.measured : target.measured / target.bound
                line += "  (\(Self.decimal(factor, 1))× off)"
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    private static func columns(_ values: String...) -> String {
        let widths = [4, 34, 12, 10, 10, 10, 10]
        return zip(values, widths).enumerated().map { index, pair in
            let (value, width) = pair
            let padding = String(repeating: " ", count: max(0, width - value.count))
            return index < 3 ? value + padding : padding + value
        }.joined(separator: " ")
    }

    private static func decimal(_ value: Double, _ places: Int) -> String {
        String(format: "%.\(places)f", value)
    }
}
