import RuleEngine
import Testing

@testable import HerdwatchServer

@Suite("Recent verdicts (duplicate deliveries)")
struct RecentVerdictsTests {
    func verdict(_ action: RuleAction) -> Verdict {
        Verdict(action: action, score: 0, hits: [], shadowHits: [], errors: [], rulesetVersion: "test")
    }

    @Test func remembersBetweenCapacityAndHalfOfItAndHandsBackWhatItDrops() {
        var recent = RecentVerdicts(capacity: 10)
        // The first half fills up: it becomes the older generation, nothing is dropped yet.
        for index in 0..<5 {
            let dropped = recent.remember(verdict(.hold), for: "a\(index)")
            #expect((dropped ?? [:]).isEmpty)
        }
        for index in 0..<5 { #expect(recent["a\(index)"]?.action == .hold) }
        // The second half fills up: the first is dropped and returned whole, the second is still found.
        var dropped: [String: Verdict]?
        for index in 0..<5 { dropped = recent.remember(verdict(.accept), for: "b\(index)") ?? dropped }
        #expect(dropped?.keys.sorted() == (0..<5).map { "a\($0)" })
        for index in 0..<5 {
            #expect(recent["a\(index)"] == nil)
            #expect(recent["b\(index)"]?.action == .accept)
        }
        // Remembering an id again replaces its verdict.
        _ = recent.remember(verdict(.reject), for: "b0")
        #expect(recent["b0"]?.action == .reject)
    }
}
