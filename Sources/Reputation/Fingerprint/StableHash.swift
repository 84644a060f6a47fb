/// Hashes that are equal on every machine, in every process and in every release, unlike `Hasher`, which is
/// seeded per process. Fingerprints are stored, so a value computed today must match one computed next year.
enum StableHash {
    /// The splitmix64 finalizer: a bijection on 64 bits in which every input bit affects every output bit.
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var value = value
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    /// FNV-1a over `bytes`, finished with ``mix(_:)`` so that short inputs spread over all 64 bits.
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>, seed: UInt64) -> UInt64 {
        var value = seed ^ 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return mix(value ^ UInt64(bytes.count))
    }

    /// The splitmix64 sequence from `seed`: fixed constants generated in code rather than pasted as tables.
    static func sequence(seed: UInt64, count: Int) -> [UInt64] {
        var state = seed
        return (0..<count).map { _ in
            state &+= 0x9E37_79B9_7F4A_7C15
            return mix(state)
        }
    }
}
