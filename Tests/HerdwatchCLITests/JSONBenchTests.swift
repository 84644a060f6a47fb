import Foundation
import HerdwatchTestSupport
import Testing

@testable import herdwatch_bench

/// `herdwatch-bench json` times two readers only when they read the fixtures alike.
@Suite("herdwatch-bench json")
struct JSONBenchTests {
    private var fixtures: String { CLI.root.appendingPathComponent("Fixtures/activities").path }

    @Test func activityAndTheDecodableReadEveryFixtureAlike() throws {
        let corpus = try JSONCorpus(directory: fixtures)
        #expect(corpus.documents.count >= 40)
        #expect(corpus.disagreements() == [])
    }

    @Test func addressingAndReferencesReadAsActivityReadsThem() throws {
        let text = """
            {"id":"https://a.example/1","type":["Create","Note"],"actor":{"id":"https://a.example/users/al"},
             "to":"https://www.w3.org/ns/activitystreams#Public","cc":[{"href":"https://b.example/users/bo"},"https://c.example/users/cy"],
             "object":[{"id":"https://a.example/1/object","type":"Note"},"https://a.example/2"]}
            """
        let bytes = Array(text.utf8)
        let corpus = JSONCorpus(documents: [.init(name: "mixed.json", bytes: bytes, data: Data(bytes))])
        #expect(corpus.disagreements() == [])
        let decoded = try JSONDecoder().decode(DecodableActivity.self, from: Data(bytes))
        #expect(decoded.type == "Create")
        #expect(decoded.actor == "https://a.example/users/al")
        #expect(decoded.to == ["https://www.w3.org/ns/activitystreams#Public"])
        #expect(decoded.cc == ["https://b.example/users/bo", "https://c.example/users/cy"])
        #expect(decoded.object?.id == "https://a.example/1/object")
    }

    @Test func aDocumentOneReaderRefusesIsReportedNotTimed() {
        let bytes = Array(#"{"type": "Create", "id": "#.utf8)
        let corpus = JSONCorpus(documents: [.init(name: "cut.json", bytes: bytes, data: Data(bytes))])
        let found = corpus.disagreements()
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("cut.json: ") == true)
    }

    @Test func reportsEveryParserAsMegabytesAndParsesPerSecond() throws {
        let result = try CLI.run(["json", "--passes", "10", "--format", "json"], executable: "herdwatch-bench")
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let rows = try #require(report["rows"] as? [[String: Any]])
        #expect(rows.compactMap { $0["parser"] as? String } == [
            "JSONValue.parse", "JSONSerialization.jsonObject", "Activity.decode", "JSONDecoder → DecodableActivity",
        ])
        for row in rows {
            #expect((row["megabytes_per_second"] as? Double ?? 0) > 0)
            #expect((row["parses_per_second"] as? Double ?? 0) > 0)
        }
    }
}
