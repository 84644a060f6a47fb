import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The fingerprints of recently seen texts.
///
/// A spam wave sends one text from hundreds of accounts within minutes. Its copies then cost a hash of the text
/// and one lookup instead of folding, normalising and MinHashing it again (about 20 µs for a 3 KB post). Entries
/// are checked byte for byte, so a hash collision only costs a recomputation, and the cache is bounded both in
/// entries and in the size of the texts it keeps.
final class RecentFingerprints: Sendable {
    static let shared = RecentFingerprints(capacity: 512, maximumTextBytes: 16 * 1024)

    private struct Entry {
        var text: String
        var fingerprint: CampaignFingerprint?
    }

    private struct State {
        var entries: [Int: Entry] = [:]
        /// Keys in insertion order, as a ring: the oldest is evicted first.
        var order: [Int] = []
        var next = 0
    }

    let capacity: Int
    let maximumTextBytes: Int
    private let state = Mutex(State())

    init(capacity: Int, maximumTextBytes: Int) {
        precondition(capacity > 0, "a cache needs room for one entry")
        self.capacity = capacity
        self.maximumTextBytes = maximumTextBytes
    }

    /// How many texts are cached.
    var count: Int { state.withLock { $0.entries.count } }

    /// The fingerprint of `text`, from the cache or from `compute`, which runs outside the lock.
    func fingerprint(of text: String, compute: (String) -> CampaignFingerprint?) -> CampaignFingerprint? {
        var text = text
        guard text.utf8.count <= maximumTextBytes else { return compute(text) }
        let key = text.withUTF8 { bytes in
            var hasher = Hasher()
            hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
            return hasher.finalize()
        }
        if let cached = state.withLock({ $0.entries[key] }), Self.sameBytes(cached.text, &text) {
            return cached.fingerprint
        }
        let fingerprint = compute(text)
        state.withLock { state in
            if state.entries.updateValue(Entry(text: text, fingerprint: fingerprint), forKey: key) != nil { return }
            if state.order.count < capacity {
                state.order.append(key)
            } else {
                state.entries[state.order[state.next]] = nil
                state.order[state.next] = key
                state.next = (state.next + 1) % capacity
            }
        }
        return fingerprint
    }

    private static func sameBytes(_ cached: String, _ text: inout String) -> Bool {
        var cached = cached
        return cached.withUTF8 { left in
            text.withUTF8 { right in
                left.count == right.count
                    && (left.isEmpty || memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0)
            }
        }
    }
}
