import Foundation
import HerdwatchTestSupport
import Testing

/// Every documented spam wave (reference notes §3) as a labelled stream (Fixtures/streams/waves, written by
/// Fixtures/streams/make_labelled_waves.py), replayed by `herdwatch eval` with a temporary database, as live.
@Suite("Every documented wave, replayed")
struct WaveStreamTests {
    struct Wave: Sendable, CustomTestStringConvertible {
        var name: String
        var testDescription: String { name }
    }

    static let waves = [
        Wave(name: "wave-2024-02"),
        Wave(name: "wave-2024-10-mentions"),
        Wave(name: "wave-2024-11-qr"),
        Wave(name: "wave-nicole-dms"),
        Wave(name: "wave-2018-ads"),
        Wave(name: "wave-2019-replies"),
        Wave(name: "wave-2019-follows"),
    ]

    /// Recall each wave must reach: held or rejected, of its posts (flagged posts are forwarded, so they are missed).
    static let minimumRecall = 0.95
    /// Hold/reject rate its legitimate traffic may reach: one item in 80.
    static let maximumHoldRate = 0.0125

    @Test(arguments: waves)
    func recallStaysAboveTheBarWithoutHoldingLegitimatePosts(wave: Wave) throws {
        let result = try CLI.run(
            ["eval", "--json", "--local-domain", "here.example", "Fixtures/streams/waves/\(wave.name).ndjson"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try CLI.jsonLines(result.stdout).first)
        let spam = try #require(report["spam"] as? [String: Any])
        let ham = try #require(report["ham"] as? [String: Any])
        #expect(spam["items"] as? Int == 100)
        #expect(ham["items"] as? Int == 80)
        #expect((ham["caught_rate"] as? Double ?? 1) <= Self.maximumHoldRate)
        let recall = spam["caught_rate"] as? Double ?? 0
        #expect(recall >= Self.minimumRecall, "\(wave.name): recall \(recall)")
    }
}
