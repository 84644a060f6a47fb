import Foundation
import HerdwatchTestSupport
import Testing

/// A small version of the labelled evaluation (`make test` runs it with the rest of the suite): a 2,000-item corpus
/// from Fixtures/corpus/make_corpus.py, replayed by `herdwatch eval` with thresholds, so a rule change that breaks
/// recall on a wave or floods the queue with legitimate posts fails CI.
@Suite("Labelled corpus evaluation")
struct CorpusEvaluationTests {
    /// Slices the default rules cannot meet the thresholds on yet, and the signal each waits for (see
    /// WaveStreamTests): reported, and expected to miss, but not held to the thresholds.
    static let waitingForSignals = [
        "wave-2018-ads/": "a signal for a server's registration burst",
        "wave-2019-replies/": "a reply-rate signal per sender",
        "wave-2019-follows/": "a Follow-rate signal that tells bots from newcomers",
    ]

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

        let ignored = Self.waitingForSignals.keys.sorted().flatMap { ["--ignore-slice", $0] }
        let result = try CLI.run(
            ["eval", "--json", "--local-domain", "here.example", "--min-recall", "0.95", "--max-hold-rate", "0.001", "--max-flag-rate", "0.02"] + ignored
                + [corpus])
        #expect(result.status == 0, "thresholds missed:\n\(result.stderr)")
        let report = try #require(try CLI.jsonLines(result.stdout).first)
        let slices = try #require(report["slices"] as? [[String: Any]])
        #expect(slices.count == 26)
        #expect((report["spam"] as? [String: Any])?["items"] as? Int == 700)

        for slice in slices {
            let name = slice["name"] as? String ?? ""
            guard let (prefix, missing) = Self.waitingForSignals.first(where: { name.hasPrefix($0.key) }) else {
                continue
            }
            let rate = slice["caught_rate"] as? Double ?? 0
            let flagRate = slice["flag_rate"] as? Double ?? 0
            // Fails as "known issue not recorded" once the signal lands: then drop the slice from the list.
            withKnownIssue("\(prefix) needs \(missing)") {
                if slice["label"] as? String == "spam" {
                    #expect(rate >= 0.95, "\(name): recall \(rate)")
                } else {
                    #expect(rate <= 0.001 && flagRate <= 0.02, "\(name): held \(rate), flagged \(flagRate)")
                }
            }
        }
    }
}
