import Foundation
import RuleEngine
import Testing

@Suite("The default rule set in Rules/")
struct DefaultRulesTests {
    let ruleSet: RuleSet

    init() throws {
        ruleSet = try RuleSet.load(directory: repositoryRoot.appendingPathComponent("Rules").path)
    }

    @Test func loadsWithoutWarnings() {
        #expect(ruleSet.warnings.map(\.description) == [])
        #expect(ruleSet.rules.count >= 10)
    }

    @Test func everyExamplePasses() {
        let outcomes = RuleExampleRunner.run(ruleSet)
        #expect(outcomes.count >= 30)
        for outcome in outcomes where !outcome.passed {
            Issue.record("\(outcome.rule) at \(outcome.location): expected \(outcome.shouldMatch ? "match" : "no match"); \(outcome.problem ?? "")")
        }
    }

    @Test func everyEnforcedRuleExceptAllowRulesHasExamples() {
        let untested = ruleSet.rules.filter { $0.examples.isEmpty && !$0.tags.contains("allow") && $0.mode == .enforce }
        #expect(untested.map(\.id) == [])
    }
}
