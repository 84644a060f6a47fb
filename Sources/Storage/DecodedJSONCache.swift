import Foundation
import Synchronization

/// Values decoded from JSON columns, keyed by the column's text: a case's verdict is read on every `next`,
/// `decide` and queue page, and decoding it was the store's largest cost. Keyed by the text itself, an entry can
/// never be stale: changed text is a different key. Bounded: when full, it starts over.
final class DecodedJSONCache<Value: Sendable>: Sendable {
    private let entries = Mutex<[String: Value]>([:])
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// The value `text` decodes to, from the cache or decoded by `decode` (and then kept).
    func value(for text: String, decode: (String) throws -> Value) throws -> Value {
        if let cached = entries.withLock({ $0[text] }) { return cached }
        let decoded = try decode(text)
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[text] = decoded
        }
        return decoded
    }
}
