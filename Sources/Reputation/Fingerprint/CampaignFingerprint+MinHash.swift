import Matching

extension CampaignFingerprint {
    static let bandSeed: UInt64 = 0x6261_6E64_7331_0001
    private static let wordSeed: UInt64 = 0x776F_7264_7331_0001
    private static let characterSeed: UInt64 = 0x6368_6172_7331_0001

    /// Weight a text needs for a fingerprint: a word counts 2, a character of a script without spaces 1.
    private static let minimumWeight = 12

    /// Hash functions *2i* and *2i + 1* are the two halves of the wyhash mix of the shingle with *seedᵢ*: the high
    /// and low halves of the 128-bit product of shingle ⊕ *seedᵢ* and *factorᵢ*, xored together.
    private static let seeds = StableHash.sequence(seed: 0x6D69_6E68_6173_6831, count: signatureLength / 2)
    private static let factors = StableHash.sequence(seed: 0x6661_6374_6F72_7331, count: signatureLength / 2)

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

    /// One minimum per hash function. The loop runs over shingles inside the loop over hash functions, so each
    /// function's seed, factor and two minima stay in registers while the shingles stream past.
    private static func minima(of shingles: [UInt64]) -> [UInt32] {
        [UInt32](unsafeUninitializedCapacity: signatureLength) { minima, count in
            seeds.withUnsafeBufferPointer { seeds in
                factors.withUnsafeBufferPointer { factors in
                    shingles.withUnsafeBufferPointer { shingles in
                        // Two hash functions per pass over the shingles: four independent minima in flight.
                        // The smallest high half is the high half of the smallest hash, and the smallest low
                        // half that of the smallest hash rotated by 32 bits, so each minimum is one 64-bit
                        // compare (32-bit lanes made the compiler pack them into SSE2 registers, which have no
                        // unsigned minimum).
                        precondition(seeds.count.isMultiple(of: 2), "hash functions come in pairs of pairs")
                        for pair in stride(from: 0, to: seeds.count, by: 2) {
                            let (seed0, factor0) = (seeds[pair], factors[pair])
                            let (seed1, factor1) = (seeds[pair + 1], factors[pair + 1])
                            var (high0, low0, high1, low1) = (UInt64.max, UInt64.max, UInt64.max, UInt64.max)
                            for shingle in shingles {
                                let product0 = (shingle ^ seed0).multipliedFullWidth(by: factor0)
                                let product1 = (shingle ^ seed1).multipliedFullWidth(by: factor1)
                                let hash0 = product0.high ^ product0.low
                                let hash1 = product1.high ^ product1.low
                                high0 = min(high0, hash0)
                                low0 = min(low0, hash0 << 32 | hash0 >> 32)
                                high1 = min(high1, hash1)
                                low1 = min(low1, hash1 << 32 | hash1 >> 32)
                            }
                            minima.initializeElement(at: 2 * pair, to: UInt32(truncatingIfNeeded: high0 >> 32))
                            minima.initializeElement(at: 2 * pair + 1, to: UInt32(truncatingIfNeeded: low0 >> 32))
                            minima.initializeElement(at: 2 * pair + 2, to: UInt32(truncatingIfNeeded: high1 >> 32))
                            minima.initializeElement(at: 2 * pair + 3, to: UInt32(truncatingIfNeeded: low1 >> 32))
                        }
                    }
                }
            }
            count = signatureLength
        }
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
