extension CampaignFingerprint {
    static let bandSeed: UInt64 = 0x6261_6E64_7331_0001
    private static let wordSeed: UInt64 = 0x776F_7264_7331_0001
    private static let characterSeed: UInt64 = 0x6368_6172_7331_0001

    /// Weight a text needs for a fingerprint: a word counts 2, a character of a script without spaces 1.
    private static let minimumWeight = 12

    /// Hash function *i* maps a shingle to murmur3's 32-bit finalizer of the shingle xor *seedᵢ*. Computed four
    /// functions at a time, in SIMD lanes.
    private static let seeds: [SIMD4<UInt32>] = {
        let values = StableHash.sequence(seed: 0x6D69_6E68_6173_6831, count: signatureLength)
        return stride(from: 0, to: signatureLength, by: 4).map { start in
            SIMD4(values[start..<start + 4].map { UInt32(truncatingIfNeeded: $0) })
        }
    }()

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

        var shingles: [UInt64] = []
        shingles.reserveCapacity(words.count + characters.count)
        // Shingles of placeholders alone (`⟨url⟩ ⟨n⟩`) say nothing about the text.
        appendShingles(of: words.map(\.hash), seed: wordSeed, to: &shingles) { words[$0].allSatisfy(\.isPlaceholder) }
        appendShingles(of: characters, seed: characterSeed, to: &shingles) { _ in false }
        return minima(of: shingles)
    }

    /// One minimum per hash function.
    private static func minima(of shingles: [UInt64]) -> [UInt32] {
        var minima = [SIMD4<UInt32>](repeating: SIMD4(repeating: .max), count: seeds.count)
        seeds.withUnsafeBufferPointer { seeds in
            minima.withUnsafeMutableBufferPointer { minima in
                for shingle in shingles {
                    let value = SIMD4(repeating: UInt32(truncatingIfNeeded: shingle ^ (shingle >> 32)))
                    for group in 0..<seeds.count {
                        var hash = value ^ seeds[group]
                        hash ^= hash &>> 16
                        hash &*= 0x85EB_CA6B
                        hash ^= hash &>> 13
                        hash &*= 0xC2B2_AE35
                        hash ^= hash &>> 16
                        minima[group] = pointwiseMin(minima[group], hash)
                    }
                }
            }
        }
        return (0..<signatureLength).map { minima[$0 / 4][$0 % 4] }
    }

    /// Appends the hash of each 3-gram of `hashes`, or of its single 2- or 1-gram when it is shorter.
    private static func appendShingles(
        of hashes: [UInt64],
        seed: UInt64,
        to shingles: inout [UInt64],
        skipping skips: (Range<Int>) -> Bool
    ) {
        let length = min(3, hashes.count)
        guard length > 0 else { return }
        for start in 0...(hashes.count - length) where !skips(start..<start + length) {
            var shingle = seed ^ UInt64(length)
            for index in start..<start + length { shingle = StableHash.mix(shingle ^ hashes[index]) }
            shingles.append(shingle)
        }
    }
}
