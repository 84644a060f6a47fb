import Synchronization
import Testing

@testable import Storage

@Suite("Decoded JSON cache")
struct DecodedJSONCacheTests {
    @Test func decodesEachTextOnceAndNeverServesAnotherTextsValue() throws {
        let cache = DecodedJSONCache<Int>(capacity: 3)
        let decodes = Mutex(0)
        func length(_ text: String) throws -> Int {
            try cache.value(for: text) { text in
                decodes.withLock { $0 += 1 }
                return text.count
            }
        }
        #expect(try length("abc") == 3)
        #expect(try length("abc") == 3)
        #expect(decodes.withLock { $0 } == 1)
        // Changed text (a purged or rewritten column) is a different key: decoded afresh.
        #expect(try length("abcd") == 4)
        #expect(decodes.withLock { $0 } == 2)
        // Bounded: past its capacity it starts over and still answers right.
        for text in ["e", "ff", "ggg", "hhhh"] { _ = try length(text) }
        #expect(try length("abc") == 3)
        #expect(decodes.withLock { $0 } == 7)
    }

    @Test func aFailedDecodeIsNotKept() {
        struct Bad: Error {}
        let cache = DecodedJSONCache<Int>(capacity: 8)
        #expect(throws: Bad.self) { try cache.value(for: "x") { _ in throw Bad() } }
        #expect((try? cache.value(for: "x") { _ in 1 }) == 1)
    }
}
