/// The code points cut into 50 ranges ("buckets") that roughly follow scripts: ASCII, Latin, Greek, Cyrillic,
/// Armenian, Hebrew, Arabic, Cherokee, kana, CJK, Hangul, emoji and so on.
///
/// A text's bucket mask (which buckets its code points fall in) is one cheap pass over its UTF-8, and skips
/// ASCII eight bytes at a time. A pattern that cannot match without a code point from some buckets (a
/// `\p{Cyrillic}` that every match needs) is only worth scanning for when the text's mask has one of them.
enum ScalarBuckets {
    /// Bucket `i` holds the code points from `lowerBounds[i]` up to the next bound.
    static let lowerBounds: [UInt32] = [
        0x0, 0x80, 0x250, 0x370, 0x400, 0x530, 0x590, 0x600, 0x700, 0x900, 0xE00, 0xF00, 0x1100, 0x1200, 0x13A0,
        0x1400, 0x1D00, 0x1E00, 0x1F00, 0x2000, 0x2070, 0x20D0, 0x2150, 0x2C00, 0x2E00, 0x3000, 0x3040, 0x3100,
        0x3400, 0x4DC0, 0x4E00, 0xA000, 0xA500, 0xA700, 0xA800, 0xAC00, 0xD800, 0xF900, 0xFB00, 0xFE00, 0xFE70,
        0xFF00, 0xFFF0, 0x10000, 0x1F100, 0x1F200, 0x1F300, 0x1FB00, 0x20000, 0x40000,
    ]

    static let asciiMask: UInt64 = 1

    /// Pseudo-buckets past the code point ranges: the text has a run of at least `length` ASCII capitals
    /// (`FREE MONEY NOW`). Hyperscan starts a repeat engine at every capital for a pattern like `[A-Z]{12,}`,
    /// which on ordinary text costs more than scanning for a hundred phrases; such patterns are gated on a run.
    static let capitalRuns: [(length: Int, bit: UInt64)] = [(3, 1 << 60), (6, 1 << 61), (12, 1 << 62)]

    /// The pseudo-bucket of the longest capital run no longer than `length`, or nil below the shortest.
    static func capitalRunBucket(atLeast length: Int) -> UInt64? {
        capitalRuns.last { $0.length <= length }?.bit
    }

    /// Every capital-run pseudo-bucket.
    static let capitalRunMask: UInt64 = capitalRuns.reduce(0) { $0 | $1.bit }

    /// Latin-1 and Latin Extended, general punctuation, variation selectors and emoji: in many posts of any
    /// language. So are runs of three capitals (acronyms).
    static let commonMask: UInt64 = 1 << 1 | 1 << 19 | 1 << 39 | 1 << 46 | capitalRuns[0].bit

    /// How likely a text is to have a code point in one of `mask`'s buckets, roughly, for choosing between
    /// requirements.
    static func commonness(_ mask: UInt64) -> Int {
        mask.nonzeroBitCount + 16 * (mask & commonMask).nonzeroBitCount
    }

    /// Bucket of each 16 code points of the Basic Multilingual Plane.
    private static let planeZero: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 0x1000)
        var bucket = 0
        for block in 0..<0x1000 {
            while bucket + 1 < lowerBounds.count, lowerBounds[bucket + 1] <= UInt32(block << 4) { bucket += 1 }
            table[block] = UInt8(bucket)
        }
        return table
    }()

    static func bucket(of value: UInt32) -> Int {
        if value < 0x10000 { return Int(planeZero[Int(value >> 4)]) }
        var bucket = lowerBounds.count - 1
        while lowerBounds[bucket] > value { bucket -= 1 }
        return bucket
    }

    /// The buckets of the code points of UTF-8 `bytes`; with `capitalRuns`, also the capital-run pseudo-buckets.
    static func mask(of bytes: UnsafeBufferPointer<UInt8>, capitalRuns: Bool = false) -> UInt64 {
        guard let base = bytes.baseAddress else { return 0 }
        let raw = UnsafeRawPointer(base)
        let count = bytes.count
        var mask: UInt64 = 0
        var runs = CapitalRuns()
        var index = 0
        while index < count {
            if index + 8 <= count {
                let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                if word & ByteWords.highBits == 0 {
                    mask |= asciiMask
                    if capitalRuns { runs.add(word) }
                    index += 8
                    continue
                }
            }
            let lead = UInt32(bytes[index])
            if lead < 0x80 {
                mask |= asciiMask
                if capitalRuns { runs.add(byte: UInt8(truncatingIfNeeded: lead)) }
                index += 1
                continue
            }
            runs.interrupt()
            let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
            guard index + length <= count else { break }
            var value = lead & (length == 4 ? 0x07 : length == 3 ? 0x0F : 0x1F)
            for offset in 1..<length { value = value << 6 | UInt32(bytes[index + offset] & 0x3F) }
            mask |= 1 << UInt64(bucket(of: value))
            index += length
        }
        if capitalRuns {
            let longest = runs.longest
            for run in Self.capitalRuns where longest >= run.length { mask |= run.bit }
        }
        return mask
    }

    /// Runs of ASCII capitals (`A`–`Z`) in a text read eight bytes or one byte at a time. `longest` is exact for
    /// runs that cross or touch a word's edge; a run inside a word counts as 3 or 6 when it is at least that long,
    /// so `longest` reaches every pseudo-bucket length the text reaches, and no other.
    private struct CapitalRuns {
        /// Capitals in a row up to the last byte read.
        private var current = 0
        private(set) var longest = 0

        /// Eight ASCII bytes, the first in the lowest byte (as a little-endian load gives them).
        mutating func add(_ word: UInt64) {
            // Bit 7 of each byte: set when the byte is at least `A` (0x41) and below `[` (0x5B). ASCII bytes do
            // not carry into their neighbours when 0x3F or 0x25 is added.
            let capitals = (word &+ 0x3F &* ByteWords.ones) & ~(word &+ 0x25 &* ByteWords.ones) & ByteWords.highBits
            if capitals == 0 {
                current = 0
                return
            }
            if capitals == ByteWords.highBits {
                current += 8
                longest = max(longest, current)
                return
            }
            let gaps = ~capitals & ByteWords.highBits
            // Capitals before the first other byte continue the run; those after the last one start the next.
            current += gaps.trailingZeroBitCount >> 3
            longest = max(longest, current)
            // Runs inside the word: three (or six) capitals in a row leave a bit after as many shifted ANDs.
            let three = capitals & capitals >> 8 & capitals >> 16
            if three != 0 {
                longest = max(longest, three & three >> 24 != 0 ? 6 : 3)
            }
            current = gaps.leadingZeroBitCount >> 3
        }

        mutating func add(byte: UInt8) {
            if byte &- 0x41 < 26 {
                current += 1
                longest = max(longest, current)
            } else {
                current = 0
            }
        }

        /// A non-ASCII code point: no capital run goes through it.
        mutating func interrupt() {
            current = 0
        }
    }

    /// Every code point of each bucket (surrogates excepted), for asking PCRE2 which buckets an atom reaches.
    static func texts() -> [String] {
        lowerBounds.indices.map { bucket in
            let upper = bucket + 1 < lowerBounds.count ? lowerBounds[bucket + 1] : 0x110000
            return text(of: lowerBounds[bucket]..<upper)
        }
    }

    /// The code points of `values` (surrogates excepted), in order.
    static func text(of values: Range<UInt32>, excluding excluded: Set<UInt32> = []) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * 4)
        for value in values where !excluded.contains(value) {
            guard let scalar = Unicode.Scalar(value) else { continue }
            UTF8.encode(scalar) { bytes.append($0) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
