import ActivityPub
import Foundation
import HerdwatchTestSupport
import Matching
import RuleEngine
import Testing

/// The prefilter is an optimisation only: on a large generated rule set, every verdict must be exactly what
/// evaluating every rule with PCRE2 alone gives.
@Suite("Prefiltered and PCRE2-only evaluation agree")
struct PrefilterEquivalenceTests {
    static let vocabulary = [
        "casino", "crypto", "bonus", "free", "spins", "airdrop", "wallet", "discord", "gg", "ctkpaarr", "荒らし",
        "メンション", "nicole", "chick", "telegram", "whatsapp", "profit", "bitcoin", "ΔΩΡΕΑΝ", "привет", "win",
    ]

    static func generatedRules(count: Int, seed: UInt64) -> RuleSet {
        var generator = SplitMix64(seed: seed)
        var rules: [Rule] = []
        let location = SourceLocation(file: "generated.yaml", line: 1, column: 1)
        func word() -> String { vocabulary.randomElement(using: &generator)! }
        for index in 0..<count {
            let source: String
            switch index % 10 {
            case 0: source = word()
            case 1: source = #"\b\#(word())\s+\#(word())\b"#
            case 2: source = "(?:\(word())|\(word()))\\W{0,3}\\d{1,4}"
            case 3: source = "https?://[^\\s/]*\(word())"
            case 4: source = "\(word()).{0,30}\(word())"
            case 5: source = "[a-z]{3,}\(word())"
            case 6: source = "[[:alpha:]]{2}\(word())"
            case 7: source = "\\S+\(word())\\D"
            case 8: source = "[^\\w\\s]\(word())"
            default: source = "(\(word()))\\1"  // a backreference: PCRE2 decides, Hyperscan may only approximate
            }
            let pattern = try! Pattern(source, options: index % 3 == 0 ? [] : .caseless)
            let form: TextForm = index % 4 == 0 ? .raw : .folded
            let text = Condition.text(TextCondition(kind: .regex, pattern: pattern, fields: [.content, .summary, .links], form: form))
            let condition: Condition
            switch index % 5 {
            case 0: condition = .all([text, .field(FieldCondition(name: "mentions.count", comparisons: [.greaterOrEqual(2)]))])
            case 1: condition = .any([text, .field(FieldCondition(name: "hashtags.count", comparisons: [.greaterOrEqual(12)]))])
            case 2: condition = .not(text)
            default: condition = text
            }
            rules.append(
                Rule(
                    id: "generated.\(index)", description: "generated", types: ["Create"], condition: condition,
                    score: Double(index % 4) + 0.5, action: index % 53 == 0 ? .hold : nil, tags: [],
                    mode: index % 11 == 0 ? .shadow : .enforce, examples: [], location: location))
        }
        return RuleSet(rules: rules, version: "generated")
    }

    static func generatedActivities(count: Int, seed: UInt64) -> [[UInt8]] {
        var generator = SplitMix64(seed: seed)
        let fixtures = try! FileManager.default.contentsOfDirectory(
            at: repositoryRoot.appendingPathComponent("Fixtures/activities"), includingPropertiesForKeys: nil)
        var activities = fixtures.sorted { $0.path < $1.path }.map { Array(try! Data(contentsOf: $0)) }
        let fillers = [" ", "-", "!", "12", "\n", "x", "é", "0", "💰", "https://a.", ".example/", "\u{200B}"]
        for _ in 0..<count {
            let length = Int.random(in: 1...30, using: &generator)
            let text = (0..<length).map { _ in
                Bool.random(using: &generator)
                    ? (Bool.random(using: &generator) ? vocabulary.randomElement(using: &generator)!.uppercased()
                        : vocabulary.randomElement(using: &generator)!)
                    : fillers.randomElement(using: &generator)!
            }.joined(separator: Bool.random(using: &generator) ? " " : "")
            let escaped = text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            activities.append(
                note(
                    "<p>\(escaped)</p>", mentions: Int.random(in: 0...4, using: &generator),
                    hashtags: (0..<Int.random(in: 0...14, using: &generator)).map { "t\($0)" },
                    summary: Bool.random(using: &generator) ? text : nil))
        }
        return activities
    }

    @Test func verdictsAreIdenticalOnAGeneratedSet() throws {
        let ruleSet = Self.generatedRules(count: 1000, seed: 7)
        let prefiltered = RuleEngine(ruleSet: ruleSet)
        let naive = RuleEngine(ruleSet: ruleSet, prefilter: false)
        #expect(prefiltered.prefilterCoverage.prefiltered > 2500)
        var fired = 0
        for activity in Self.generatedActivities(count: 400, seed: 11) {
            let expected = try naive.evaluate(activity: activity)
            let actual = try prefiltered.evaluate(activity: activity)
            #expect(actual == expected)
            fired += expected.hits.count
        }
        #expect(fired > 2000, "the generated set should make many rules fire, not compare empty verdicts")
    }

    /// A replay scans on worker cores while preparing; the verdict must not change, and a scan made by another
    /// engine (another rule set, other channels) must be ignored rather than trusted.
    @Test func scanningWhilePreparingChangesNoVerdict() throws {
        let engine = RuleEngine(ruleSet: Self.generatedRules(count: 400, seed: 7))
        let other = RuleEngine(ruleSet: Self.generatedRules(count: 150, seed: 3))
        let naive = RuleEngine(ruleSet: engine.ruleSet, prefilter: false)
        var fired = 0
        for activity in Self.generatedActivities(count: 150, seed: 11) {
            let subject = Normalizer.subject(for: try Activity.decode(activity))
            let expected = naive.evaluate(subject)
            #expect(engine.evaluate(engine.prepare(subject, scanning: true)) == expected)
            #expect(engine.evaluate(other.prepare(subject, scanning: true)) == expected)
            fired += expected.hits.count
        }
        #expect(fired > 100, "the generated set should make rules fire, not compare empty verdicts")
    }
}
