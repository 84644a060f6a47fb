extension CampaignFingerprint {
    static let bandSeed: UInt64 = 0x6261_6E64_7331_0001
    private static let wordSeed: UInt64 = 0x776F_7264_7331_0001
    private static let characterSeed: UInt64 = 0x6368_6172_7331_0001

    /// Weight a text needs for a fingerprint: a word counts 2, a character of a script without spaces 1.
    private static let minimumWeight = 12

    /// Hash function *i* maps a shingle hash *h* to the high 32 bits of *aᵢh + bᵢ* (multiply-add-shift), one
    /// multiplication per function instead of a full mix.
    private static let multipliers = StableHash.sequence(seed: 0x6D75_6C74_6970_6C79, count: signatureLength)
        .map { $0 | 1 }
    private static let increments = StableHash.sequence(seed: 0x696E_6372_656D_656E, count: signatureLength)

    private struct Word {
        var hash: UInt64
        var isPlaceholder: Bool
    }

    /// The MinHash signature of normalised text, or `nil` when the text weighs less than ``minimumWeight``.
    static func minHashSignature(normalized: UnsafeBufferPointer<UInt8>) -> [UInt32]? {
        var words: [Word] = []
        var characters: [UInt64] = []
        var start = 0
        while start < normalized.count {
            var end = start
            while end < normalized.count, normalized[end] != 0x20 { end += 1 }
            let token = UnsafeBufferPointer(rebasing: normalized[start..<end])
            let first = UTF8Scalar.decode(token, at: 0).value
            if ScalarClass(first) == .unspacedLetter {
                var index = 0
                while index < token.count {
                    let (value, length) = UTF8Scalar.decode(token, at: index)
                    characters.append(StableHash.mix(characterSeed ^ UInt64(value)))
                    index += length
                }
            } else {
                words.append(Word(hash: StableHash.hash(token, seed: wordSeed), isPlaceholder: first == 0x27E8))
            }
            start = end + 1
        }

        let weight = 2 * words.count(where: { !$0.isPlaceholder }) + characters.count
        guard weight >= minimumWeight else { return nil }

        var minima = [UInt32](repeating: .max, count: signatureLength)
        let multipliers = Self.multipliers
        let increments = Self.increments
        minima.withUnsafeMutableBufferPointer { minima in
            func add(_ shingle: UInt64) {
                for index in 0..<minima.count {
                    let value = UInt32(truncatingIfNeeded: (multipliers[index] &* shingle &+ increments[index]) >> 32)
                    minima[index] = min(minima[index], value)
                }
            }
            // Shingles of placeholders alone (`⟨url⟩ ⟨n⟩`) say nothing about the text.
            forEachShingle(of: words.map(\.hash), seed: wordSeed, skipping: { words[$0].allSatisfy(\.isPlaceholder) }) {
                add($0)
            }
            forEachShingle(of: characters, seed: characterSeed, skipping: { _ in false }) { add($0) }
        }
        return minima
    }

    /// Calls `body` with the hash of each 3-gram of `hashes`, or of its single 2- or 1-gram when it is shorter.
    private static func forEachShingle(
        of hashes: [UInt64],
        seed: UInt64,
        skipping skips: (Range<Int>) -> Bool,
        _ body: (UInt64) -> Void
    ) {
        let length = min(3, hashes.count)
        guard length > 0 else { return }
        for start in 0...(hashes.count - length) where !skips(start..<start + length) {
            var shingle = seed ^ UInt64(length)
            for index in start..<start + length { shingle = StableHash.mix(shingle ^ hashes[index]) }
            body(shingle)
        }
    }
}
