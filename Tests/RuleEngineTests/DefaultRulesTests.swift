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

@Suite("The default rules on the fixtures")
struct DefaultRulesOnFixturesTests {
    static let activities = repositoryRoot.appendingPathComponent("Fixtures/activities")

    static func fixtures(prefix: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: activities.path)) ?? []
        return names.filter { $0.hasPrefix(prefix) && $0.hasSuffix(".json") }.sorted()
    }

    let engine: RuleEngine

    init() throws {
        engine = RuleEngine(ruleSet: try RuleSet.load(directory: repositoryRoot.appendingPathComponent("Rules").path))
    }

    func verdict(_ name: String, actor: String? = nil) throws -> Verdict {
        let bytes = Array(try Data(contentsOf: Self.activities.appendingPathComponent(name)))
        let actorBytes = try actor.map {
            Array(try Data(contentsOf: repositoryRoot.appendingPathComponent("Fixtures/actors").appendingPathComponent($0)))
        }
        return try engine.evaluate(activity: bytes, actor: actorBytes)
    }

    /// The false-positive pitfalls in the reference notes: mutual-mention threads, Japanese text,
    /// newsletters, hashtag-heavy art, quote posts. None may be flagged, held or rejected.
    @Test(arguments: fixtures(prefix: "legit_"))
    func hardLegitimateCasesAreAccepted(_ name: String) throws {
        let result = try verdict(name)
        #expect(result.action == .accept, "\(name): \(result.hits.map(\.rule))")
        #expect(result.hits.isEmpty, "\(name): \(result.hits.map(\.rule))")
        #expect(result.errors.isEmpty)
    }

    @Test(arguments: fixtures(prefix: "spam_"))
    func documentedSpamIsHeldOrRejected(_ name: String) throws {
        let result = try verdict(name)
        #expect(result.action == .hold || result.action == .reject, "\(name): \(result.action) \(result.hits.map(\.rule))")
    }

    @Test func everyOtherFixtureIsAcceptedWithoutErrors() throws {
        for name in Self.fixtures(prefix: "").filter({ !$0.hasPrefix("legit_") && !$0.hasPrefix("spam_") }) {
            let result = try verdict(name)
            #expect(result.action == .accept, "\(name): \(result.hits.map(\.rule))")
            #expect(result.errors.isEmpty)
        }
    }

    @Test func theThrowawayActorAddsToTheWaveVerdict() throws {
        let bare = try verdict("spam_feb2024_link_then_mentions.json")
        let withActor = try verdict("spam_feb2024_link_then_mentions.json", actor: "new_random_username.json")
        #expect(!bare.hits.contains { $0.rule == "actor.throwaway-shape" })
        #expect(withActor.hits.contains { $0.rule == "actor.throwaway-shape" })
        #expect(withActor.score > bare.score)
    }
}
