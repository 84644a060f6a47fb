import ActivityPub
import Foundation
@testable import RuleEngine
import Testing

/// The hook and `herdwatch check --format json` write verdicts with `JSONWriter`; what they write must be
/// byte for byte what `JSONEncoder` gives for the same values.
@Suite("Verdicts written by JSONWriter")
struct VerdictJSONTests {
    static func encoded(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    @Test func hitsOnEveryFixtureMatchJSONEncoder() throws {
        let ruleSet = try RuleSet.load(directory: repositoryRoot.appendingPathComponent("Rules").path)
        let engine = RuleEngine(ruleSet: ruleSet)
        let folder = repositoryRoot.appendingPathComponent("Fixtures/activities")
        var hits: [RuleHit] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() where name.hasSuffix(".json") {
            guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path),
                let activity = try? Activity.decode(Array(data))
            else { continue }
            let verdict = engine.evaluate(Normalizer.subject(for: activity))
            hits += verdict.hits + verdict.shadowHits
        }
        #expect(hits.count >= 10, "the fixtures should make rules fire")
        #expect(hits.contains { !$0.evidence.isEmpty && $0.evidence.contains { $0.span != nil } })
        var writer = JSONWriter()
        writer.ruleHits(hits)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == String(decoding: try Self.encoded(hits), as: UTF8.self))
    }

    @Test func awkwardTextIsEscapedLikeJSONEncoder() throws {
        let awkward = "quote \" backslash \\ slash / tab \t newline \n return \r bell \u{07} backspace \u{08} "
            + "formfeed \u{0C} unit \u{1F} delete \u{7F} é 漢 😀 \u{2028} \u{200B}"
        let hit = RuleHit(
            rule: "r/\(awkward)", description: awkward, score: -2.5, action: .hold, tags: [awkward, ""],
            evidence: [
                Evidence(
                    kind: .match, field: "content", detail: awkward,
                    span: Span(form: "folded", utf8Start: 0, utf8End: 7, characterStart: 0, characterEnd: 5, excerpt: awkward)),
                Evidence(kind: .field, field: "actor.age_hours", detail: "0.125 < 24", span: nil),
            ])
        let failure = RuleFailure(rule: "x", message: awkward)
        var writer = JSONWriter()
        writer.object { json in
            json.key("errors")
            json.ruleFailures([failure])
            json.key("hits")
            json.ruleHits([hit])
            json.member("score", 1e-7)
            json.member("score_integral", 12.0)
        }
        struct Wrapper: Encodable {
            var errors: [RuleFailure]
            var hits: [RuleHit]
            var score: Double
            var scoreIntegral: Double
        }
        let expected = try Self.encoded(Wrapper(errors: [failure], hits: [hit], score: 1e-7, scoreIntegral: 12))
        #expect(String(decoding: writer.bytes, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
    }
}
