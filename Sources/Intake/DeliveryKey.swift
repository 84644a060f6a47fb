import Crypto
public import RuleEngine

/// A stable id for activities that have none, from their bytes, so duplicates still meet.
public enum TokenlessID {
    public static func make(_ body: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in body {
            hash = (hash ^ UInt64(byte)) &* 0x0100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}

/// Names one delivery: the SHA-256 of the activity id, the verified signer ("" when none) and the body, so a
/// known id with another body, or someone's bytes re-signed by a third party, is not taken for a repeat.
/// Thirty-two bytes in place of a string key.
public struct DeliveryKey: Hashable, Sendable {
    private let words: (UInt64, UInt64, UInt64, UInt64)

    public init(id: String, signer: String, body: [UInt8]) {
        var hash = SHA256()
        // Each string's length first, so no id, signer and body triple reads as another.
        for var text in [id, signer] {
            withUnsafeBytes(of: UInt64(text.utf8.count).littleEndian) { hash.update(bufferPointer: $0) }
            text.withUTF8 { hash.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        }
        body.withUnsafeBytes { hash.update(bufferPointer: $0) }
        words = hash.finalize().withUnsafeBytes { digest in
            (
                digest.loadUnaligned(fromByteOffset: 0, as: UInt64.self), digest.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                digest.loadUnaligned(fromByteOffset: 16, as: UInt64.self), digest.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
            )
        }
    }

    /// The digest in hexadecimal: how the case store names the delivery.
    public var hex: String {
        [words.0, words.1, words.2, words.3].map { word in
            let digits = String(UInt64(littleEndian: word).byteSwapped, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }.joined()
    }

    public static func == (lhs: DeliveryKey, rhs: DeliveryKey) -> Bool {
        lhs.words == rhs.words
    }

    public func hash(into hasher: inout Hasher) {
        // Already a digest: one word spreads as well as four.
        hasher.combine(words.0)
    }
}

/// A bounded map from delivery to verdict, in two generations: when the current one holds half the capacity
/// it becomes the previous one, and the previous one is dropped.
public struct RecentVerdicts {
    private var current: [DeliveryKey: Verdict] = [:]
    private var previous: [DeliveryKey: Verdict] = [:]
    public let capacity: Int

    public init(capacity: Int) { self.capacity = max(capacity, 2) }

    public subscript(key: DeliveryKey) -> Verdict? {
        current[key] ?? previous[key]
    }

    /// Remembers `verdict`; returns the generation this drops, for the caller to release outside any lock.
    public mutating func insert(_ verdict: Verdict, for key: DeliveryKey) -> [DeliveryKey: Verdict] {
        current[key] = verdict
        guard current.count >= capacity / 2 else { return [:] }
        let dropped = previous
        previous = current
        current = Dictionary(minimumCapacity: capacity / 2)
        return dropped
    }
}

