import ArgumentParser
import Foundation
import RuleEngine

struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Check and test rule files.",
        subcommands: [Lint.self, Test.self]
    )

    struct Lint: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Report every problem in a rule directory with file:line:column and a fix.",
            discussion: "Exits 1 when there are errors; warnings alone exit 0.")

        @Argument(help: "Rule directory.")
        var directory: String = RuleOptions.defaultDirectory

        func run() throws {
            let diagnostics: [RuleDiagnostic]
            var summary = ""
            do {
                let ruleSet = try RuleSet.load(directory: directory)
                diagnostics = ruleSet.warnings
                let engine = RuleEngine(ruleSet: ruleSet)
                let coverage = engine.prefilterCoverage
                summary =
                    "\(ruleSet.rules.count) rules, \(coverage.prefiltered + coverage.pcre2Only) patterns "
                    + "(\(coverage.pcre2Only) outside the prefilter), version \(ruleSet.version)"
            } catch {
                diagnostics = error.diagnostics
            }
            for diagnostic in diagnostics { print(diagnostic) }
            let errors = diagnostics.filter { $0.severity == .error }.count
            let warnings = diagnostics.count - errors
            if errors > 0 {
                print("\(errors) error(s), \(warnings) warning(s)")
                throw ExitCode(1)
            }
            print("ok: \(summary)" + (warnings > 0 ? "; \(warnings) warning(s)" : ""))
        }
    }

    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run every rule's examples and report failures like a test runner.",
            discussion: "Each `match` example must make its rule fire and each `no_match` must not. Exits 1 on failure.")

        @Argument(help: "Rule directory.")
        var directory: String = RuleOptions.defaultDirectory

        @Flag(name: .shortAndLong, help: "List passing examples too.")
        var verbose = false

        func run() throws {
            let ruleSet: RuleSet
            do {
                ruleSet = try RuleSet.load(directory: directory)
            } catch {
                for diagnostic in error.diagnostics { print(diagnostic) }
                print("the rule set does not load; fix the errors above (see `herdwatch rules lint`)")
                throw ExitCode(1)
            }
            let outcomes = RuleExampleRunner.run(ruleSet)
            var failed = 0
            for outcome in outcomes {
                let expectation = outcome.shouldMatch ? "match" : "no_match"
                if outcome.passed {
                    if verbose { print("PASS \(outcome.rule) \(expectation) (\(outcome.location))") }
                    continue
                }
                failed += 1
                let reason =
                    outcome.problem
                    ?? (outcome.shouldMatch ? "expected the rule to fire; it did not" : "expected the rule not to fire; it did")
                print("FAIL \(outcome.rule) \(expectation) at \(outcome.location): \(reason)")
            }
            let untested = ruleSet.rules.filter { $0.examples.isEmpty }.map(\.id)
            for id in untested { print("note: rule \(id) has no examples") }
            print("\(outcomes.count - failed) passed, \(failed) failed")
            if failed > 0 { throw ExitCode(1) }
        }
    }
}
