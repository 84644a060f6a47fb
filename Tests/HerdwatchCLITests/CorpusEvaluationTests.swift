import Foundation
import HerdwatchTestSupport
import Testing

/// A small version of the labelled evaluation (`make test` runs it with the rest of the suite): a 2,000-item corpus
/// from Fixtures/corpus/make_corpus.py, replayed by `herdwatch eval` with thresholds, so a rule change that breaks
/// recall on a wave or floods the queue with legitimate posts fails CI.
@Suite("Labelled corpus evaluation")
struct CorpusEvaluationTests {
    @Test func theCorpusMeetsTheThresholds() throws {
        let corpus = FileManager.default.temporaryDirectory.appendingPathComponent(
            "herdwatch-corpus-\(UUID().uuidString).ndjson"
        ).path
        defer { try? FileManager.default.removeItem(atPath: corpus) }
        let generator = Process()
        generator.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        generator.arguments = [
            "python3", CLI.root.appendingPathComponent("Fixtures/corpus/make_corpus.py").path, "--count", "2000",
            "--wave-size", "50",
            "--out", corpus,
        ]
        try generator.run()
        generator.waitUntilExit()
        try #require(generator.terminationStatus == 0, "make_corpus.py failed")

        let result = try CLI.run(
            ["eval", "--json", "--local-domain", "here.example", "--min-recall", "0.95", "--max-hold-rate", "0.001", "--max-flag-rate", "0.02", corpus])
        #expect(result.status == 0, "thresholds missed:\n\(result.stderr)")
        let report = try #require(try CLI.jsonLines(result.stdout).first)
        let slices = try #require(report["slices"] as? [[String: Any]])
        #expect(slices.count == 26)
        #expect((report["spam"] as? [String: Any])?["items"] as? Int == 700)
    }
}
