/// Tests on UTF-8 bytes eight at a time, one unaligned `UInt64` load per word.
enum ByteWords {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    /// The top bit of each byte: a word of ASCII has none of them set.
    static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// Whether some byte lane of `word` is zero (the classic test: exact about whether, not about where).
    @inline(__always)
    static func hasZeroByte(_ word: UInt64) -> Bool {
        (word &- ones) & ~word & highBits != 0
    }

    /// Whether every byte of `bytes` is ASCII.
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        var offset = 0
        while offset + 8 <= bytes.count {
            if raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self) & highBits != 0 { return false }
            offset += 8
        }
        while offset < bytes.count {
            if bytes[offset] >= 0x80 { return false }
            offset += 1
        }
        return true
    }
}
