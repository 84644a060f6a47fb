import Foundation
import HerdwatchTestSupport
import Testing

/// Every documented spam wave (reference notes §3) as a labelled stream (Fixtures/streams/waves, written by
/// Fixtures/streams/make_labelled_waves.py), replayed by `herdwatch eval` with a temporary database, as live.
@Suite("Every documented wave, replayed")
struct WaveStreamTests {
    /// A wave, and what the default rules still lack to catch it (nil when they catch it).
    struct Wave: Sendable, CustomTestStringConvertible {
        var name: String
        var missing: String?
        var testDescription: String { name }
    }

    static let waves = [
        Wave(name: "wave-2024-02"),
        Wave(name: "wave-2024-10-mentions"),
        Wave(name: "wave-2024-11-qr"),
        Wave(name: "wave-nicole-dms"),
        Wave(
            name: "wave-2018-ads",
            missing:
                "a signal for a server's registration burst: the first adverts from each new server look like a newcomer sharing a link"
        ),
        Wave(
            name: "wave-2019-replies",
            missing: "a reply-rate signal per sender: an account's first four replies to strangers look like anyone's"),
        Wave(
            name: "wave-2019-follows",
            missing:
                "a Follow-rate signal: a fresh account following a few local users looks like a newcomer (rules on follows_local held 8 % of newcomers' follows)"
        ),
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
        if let missing = wave.missing {
            // Fails as "known issue not recorded" once the signal lands and the wave is caught: then move it up.
            withKnownIssue("\(wave.name) needs \(missing)") {
                #expect(recall >= Self.minimumRecall, "\(wave.name): recall \(recall)")
            }
        } else {
            #expect(recall >= Self.minimumRecall, "\(wave.name): recall \(recall)")
        }
    }
}
