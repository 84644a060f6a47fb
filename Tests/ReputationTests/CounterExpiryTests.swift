import Foundation
import Reputation
import Testing

/// A counter whose last event has left the day window counts nothing from then on: stores may forget it.
@Suite("Counter expiry")
struct CounterExpiryTests {
    let at = Date(timeIntervalSince1970: 1_700_000_000)

    @Test
    func aCounterExpiresOnceItsNewestEventLeavesEveryWindow() {
        var counter = WindowedCounter()
        counter.add(at: at)
        #expect(!counter.isExpired(at: at))
        #expect(!counter.isExpired(at: at.addingTimeInterval(86_400 - 1_440)), "still counted in the day window")
        #expect(counter.count(.day, at: at.addingTimeInterval(86_400 - 1_440)) == 1)
        let later = at.addingTimeInterval(86_400 + 1_440)
        #expect(counter.isExpired(at: later))
        for window in WindowedCounter.Window.allCases {
            #expect(counter.count(window, at: later) == 0)
            #expect(counter.count(window, at: later.addingTimeInterval(86_400 * 30)) == 0)
        }
        #expect(WindowedCounter().isExpired(at: at))
    }
}
