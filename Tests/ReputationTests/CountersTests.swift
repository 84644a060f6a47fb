import Foundation
import Reputation
import Testing

@Suite("Windowed counters and decaying counts")
struct CountersTests {
    let base = Date(timeIntervalSince1970: 1_700_000_040)  // a whole number of 24-minute buckets

    @Test func windowsCountExactlyOnBucketBoundaries() {
        var counter = WindowedCounter()
        for second in 0..<90 { counter.add(at: base.addingTimeInterval(Double(second))) }
        let now = base.addingTimeInterval(89)
        #expect(counter.count(.minute, at: now) == 60)
        #expect(counter.count(.hour, at: now) == 90)
        #expect(counter.count(.day, at: now) == 90)
        #expect(counter.count(.minute, at: base.addingTimeInterval(3_600 + 89)) == 0)
        #expect(counter.count(.hour, at: base.addingTimeInterval(3_600 + 60)) == 0)
        #expect(counter.count(.day, at: base.addingTimeInterval(3_600 + 60)) == 90)
        #expect(counter.isIdle(at: base.addingTimeInterval(2 * 86_400)))
    }

    @Test func memoryStaysBoundedAndEncodingRoundTrips() {
        var counter = WindowedCounter()
        for second in stride(from: 0, to: 3 * 86_400, by: 7) { counter.add(at: base.addingTimeInterval(Double(second))) }
        #expect(counter.encoded.count <= 3 * 60 * 13)
        let decoded = WindowedCounter(encoded: counter.encoded)
        let now = base.addingTimeInterval(3 * 86_400)
        for window in WindowedCounter.Window.allCases {
            #expect(decoded.count(window, at: now) == counter.count(window, at: now))
        }
        #expect(WindowedCounter(encoded: [1, 2, 3]).count(.day, at: now) == 0, "malformed bytes give an empty counter")
    }

    @Test func decayHalvesEveryHalfLife() {
        var count = DecayingCount()
        count.add(4, at: base, halfLife: 3_600)
        #expect(count.value(at: base.addingTimeInterval(3_600), halfLife: 3_600) == 2)
        #expect(count.value(at: base.addingTimeInterval(7_200), halfLife: 3_600) == 1)
        count.add(1, at: base.addingTimeInterval(3_600), halfLife: 3_600)
        #expect(count.value(at: base.addingTimeInterval(3_600), halfLife: 3_600) == 3)
        #expect(count.value(at: base.addingTimeInterval(-100), halfLife: 3_600) == 3, "no growth backwards in time")
    }
}
