@testable import HerdwatchServer
import Intake
import RuleEngine
import Testing

/// The gate's memory of recent deliveries: repeats are answered from it, and it stays bounded.
@Suite("Recent verdicts")
struct RecentVerdictsTests {
    private func verdict(_ action: RuleAction, _ score: Double = 0) -> Verdict {
        Verdict(action: action, score: score, hits: [], shadowHits: [], errors: [], rulesetVersion: "test")
    }

    @Test func aDeliveryIsItsIdItsSignerAndItsBody() {
        let body = Array(#"{"type":"Create"}"#.utf8)
        #expect(DeliveryKey(id: "https://a.example/1", signer: "", body: body) == DeliveryKey(id: "https://a.example/1", signer: "", body: body))
        #expect(DeliveryKey(id: "https://a.example/1", signer: "", body: body) != DeliveryKey(id: "https://a.example/2", signer: "", body: body))
        #expect(DeliveryKey(id: "https://a.example/1", signer: "", body: body) != DeliveryKey(id: "https://a.example/1", signer: "", body: body + [0x20]))
        // The same bytes signed by a third party are another delivery, so a re-signed copy cannot plant a verdict.
        #expect(
            DeliveryKey(id: "https://a.example/1", signer: "https://a.example/alice", body: body)
                != DeliveryKey(id: "https://a.example/1", signer: "https://b.example/mallory", body: body))
        #expect(DeliveryKey(id: "x", signer: "https://a.example/alice", body: body).hex.count == 64)
        #expect(
            DeliveryKey(id: "x", signer: "s", body: body).hex == DeliveryKey(id: "x", signer: "s", body: body).hex)
        // Each string's length is hashed first: moving bytes between the id, the signer and the body makes
        // another key.
        #expect(DeliveryKey(id: "ab", signer: "", body: []) != DeliveryKey(id: "a", signer: "b", body: []))
        #expect(DeliveryKey(id: "ab", signer: "", body: Array("c".utf8)) != DeliveryKey(id: "a", signer: "", body: Array("bc".utf8)))
    }

    @Test func theOldestGenerationIsDroppedWhenTheCurrentOneIsHalfFull() {
        var recent = RecentVerdicts(capacity: 8)
        let keys = (0..<12).map { DeliveryKey(id: "https://a.example/\($0)", signer: "", body: []) }
        var dropped: [Int] = []
        for (index, key) in keys.enumerated() {
            dropped.append(recent.insert(verdict(index.isMultiple(of: 2) ? .accept : .hold, Double(index)), for: key).count)
        }
        // Generations of four: the first rotation drops an empty generation, the second drops keys 0–3.
        #expect(dropped == [0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 4])
        for (index, key) in keys.enumerated() {
            if index < 8 {
                #expect(recent[key] == nil, "key \(index) should be forgotten")
            } else {
                #expect(recent[key]?.score == Double(index))
                #expect(recent[key]?.action == (index.isMultiple(of: 2) ? .accept : .hold))
            }
        }
    }

    @Test func bothGenerationsAnswer() {
        var recent = RecentVerdicts(capacity: 4)
        let first = DeliveryKey(id: "https://a.example/first", signer: "", body: [1])
        let second = DeliveryKey(id: "https://a.example/second", signer: "", body: [2])
        _ = recent.insert(verdict(.hold, 9), for: first)
        _ = recent.insert(verdict(.accept, 1), for: second)
        // `first` is in the previous generation now, `second` too (the current one filled at two): both answer.
        #expect(recent[first]?.action == .hold)
        #expect(recent[second]?.action == .accept)
        #expect(recent[DeliveryKey(id: "https://a.example/first", signer: "", body: [2])] == nil)
    }
}
