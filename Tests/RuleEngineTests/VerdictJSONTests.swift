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

@Suite("One verdict writer")
struct OneVerdictWriterTests {
    @Test func extrasAreMergedIntoTheSortedKeysOfTheVerdict() throws {
        let hit = RuleHit(rule: "r", description: "d", score: 2, action: .hold, tags: ["t"], evidence: [])
        let verdict = Verdict(action: .hold, score: 2, hits: [hit], shadowHits: [], errors: [], rulesetVersion: "v1")
        var writer = JSONWriter()
        writer.verdict(verdict, adding: [("source", { $0.value("stdin:1") }), ("case", { $0.value(nil as String?) }), ("id", { $0.value("x") })])
        let text = String(decoding: writer.bytes, as: UTF8.self)
        // Keys at the top level, in order: the hit's own keys come after its opening brace and before the
        // closing one, so they are skipped by reading depth.
        var depth = 0
        var topLevel: [String] = []
        var inString = false
        var current = ""
        var previous: Character = " "
        for character in text {
            if inString {
                if character == "\"" && previous != "\\" {
                    inString = false
                    if depth == 1 { topLevel.append(current) }
                } else {
                    current.append(character)
                }
            } else if character == "\"" {
                inString = true
                current = ""
            } else if character == "{" || character == "[" {
                depth += 1
            } else if character == "}" || character == "]" {
                depth -= 1
            }
            previous = character
        }
        let keys = topLevel.filter { ["action", "case", "errors", "hits", "id", "ruleset_version", "score", "shadow_hits", "source"].contains($0) }
        #expect(keys == ["action", "case", "errors", "hits", "id", "ruleset_version", "score", "shadow_hits", "source"], "\(text)")
        // The verdict's own members are what JSONEncoder writes for it.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [String: Any])
        let encoded = try #require(
            try JSONSerialization.jsonObject(with: Data(VerdictJSONTests.encoded(verdict))) as? [String: Any])
        for key in encoded.keys {
            #expect(
                try JSONSerialization.data(withJSONObject: [object[key]!], options: .sortedKeys)
                    == JSONSerialization.data(withJSONObject: [encoded[key]!], options: .sortedKeys), "\(key)")
        }
    }
}
