/// Where a match lies in the text it was found in.
public struct MatchSpan: Sendable, Hashable {
    /// Byte offsets into the UTF-8 text.
    public var utf8: Range<Int>

    public init(utf8: Range<Int>) {
        self.utf8 = utf8
    }

    /// The same span in characters (Unicode code points, as PCRE2 counts them) of `text`.
    public func characters(in text: String) -> Range<Int> {
        var text = text
        return text.withUTF8 { bytes in
            let upper = min(utf8.upperBound, bytes.count)
            let lower = min(utf8.lowerBound, upper)
            let before = Self.codePoints(in: UnsafeBufferPointer(rebasing: bytes[0..<lower]))
            return before..<(before + Self.codePoints(in: UnsafeBufferPointer(rebasing: bytes[lower..<upper])))
        }
    }

    /// How many code points start in UTF-8 `bytes`: every byte but the continuation bytes, 32 at a time.
    static func codePoints(in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        let raw = UnsafeRawPointer(base)
        var continuations = 0
        var offset = 0
        while offset + 32 <= bytes.count {
            // Two sets of per-byte counters (one per lane) fed by independent words, so the additions overlap;
            // each lane gains at most 2 per round, so 127 rounds cannot overflow it.
            var first: UInt64 = 0
            var second: UInt64 = 0
            var rounds = 0
            while rounds < 127, offset + 32 <= bytes.count {
                first &+= continuationMarks(raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                    &+ continuationMarks(raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
                second &+= continuationMarks(raw.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self))
                    &+ continuationMarks(raw.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self))
                offset += 32
                rounds += 1
            }
            continuations += laneSum(first) + laneSum(second)
        }
        while offset + 8 <= bytes.count {
            continuations += continuationMarks(raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)).nonzeroBitCount
            offset += 8
        }
        while offset < bytes.count {
            if bytes[offset] & 0xC0 == 0x80 { continuations += 1 }
            offset += 1
        }
        return bytes.count - continuations
    }

    /// 1 in the low bit of each byte lane of `word` that holds a continuation byte (10xxxxxx), 0 elsewhere.
    @inline(__always)
    private static func continuationMarks(_ word: UInt64) -> UInt64 {
        (word & ~(word << 1) & ByteWords.highBits) >> 7
    }

    /// The sum of the eight byte lanes of `lanes` (each at most 255).
    @inline(__always)
    private static func laneSum(_ lanes: UInt64) -> Int {
        // Pair the lanes into 16-bit lanes first, so the sum cannot overflow one.
        let pairs = (lanes & 0x00FF_00FF_00FF_00FF) &+ ((lanes >> 8) & 0x00FF_00FF_00FF_00FF)
        return Int((pairs &* 0x0001_0001_0001_0001) >> 48)
    }

    /// The matched text itself.
    public func matchedText(in text: String) -> String {
        var text = text
        return text.withUTF8 { bytes in
            String(decoding: bytes[utf8.clamped(to: 0..<bytes.count)], as: UTF8.self)
        }
    }

    /// A short, single-line excerpt around the match for explanations: at most `width` code points of context
    /// on each side, with `…` where text was cut; the match itself is bracketed and capped at 80 code points.
    public func excerpt(in text: String, width: Int = 24) -> String {
        var text = text
        return text.withUTF8 { bytes in
            let range = utf8.clamped(to: 0..<bytes.count)
            let start = Self.offset(in: bytes, back: width, from: range.lowerBound)
            let matchEnd = Self.offset(in: bytes, forward: 80, from: range.lowerBound, limit: range.upperBound)
            let end = Self.offset(in: bytes, forward: width, from: range.upperBound, limit: bytes.count)
            // Written straight into the string's storage: line breaks only shrink, so this is the most it takes.
            let capacity = (end - start) + 2 + 3 * Self.ellipsis.count
            return String(unsafeUninitializedCapacity: capacity) { output in
                var written = 0
                func append(_ byte: UInt8) {
                    output[written] = byte
                    written += 1
                }
                func appendEllipsis() {
                    for byte in Self.ellipsis { append(byte) }
                }
                if start > 0 { appendEllipsis() }
                Self.appendOnOneLine(bytes[start..<range.lowerBound], to: output, at: &written)
                append(UInt8(ascii: "["))
                Self.appendOnOneLine(bytes[range.lowerBound..<matchEnd], to: output, at: &written)
                if matchEnd < range.upperBound { appendEllipsis() }
                append(UInt8(ascii: "]"))
                Self.appendOnOneLine(bytes[range.upperBound..<end], to: output, at: &written)
                if end < bytes.count { appendEllipsis() }
                return written
            }
        }
    }

    /// The offset `count` code points before `offset` (or the start of `bytes`), on a code point boundary.
    static func offset(in bytes: UnsafeBufferPointer<UInt8>, back count: Int, from offset: Int) -> Int {
        // A code point takes at least one byte: with no more than `count` bytes before, all of them are taken.
        guard offset > count else { return 0 }
        // `count` ASCII bytes are `count` code points, and the first of them starts one.
        if ByteWords.isASCII(UnsafeBufferPointer(rebasing: bytes[(offset - count)..<offset])) { return offset - count }
        var position = offset
        var seen = 0
        while position > 0, seen < count {
            position -= 1
            if bytes[position] & 0xC0 != 0x80 { seen += 1 }
        }
        return position
    }

    /// The offset `count` code points after `offset` (or `limit`), on a code point boundary.
    static func offset(in bytes: UnsafeBufferPointer<UInt8>, forward count: Int, from offset: Int, limit: Int) -> Int {
        guard limit - offset > count else { return limit }
        if ByteWords.isASCII(UnsafeBufferPointer(rebasing: bytes[offset..<(offset + count)])) { return offset + count }
        var position = offset
        var seen = 0
        while position < limit, seen < count {
            position += 1
            while position < limit, bytes[position] & 0xC0 == 0x80 { position += 1 }
            seen += 1
        }
        return position
    }

    private static let ellipsis: [UInt8] = [0xE2, 0x80, 0xA6]  // …

    /// Appends UTF-8 `bytes` with each line break (LF, VT, FF, CR, CR LF, NEL, LS, PS: the characters that
    /// `Character.isNewline` calls one) replaced by a space.
    private static func appendOnOneLine(
        _ bytes: Slice<UnsafeBufferPointer<UInt8>>, to output: UnsafeMutableBufferPointer<UInt8>, at written: inout Int
    ) {
        // Line breaks start with a byte from 0x0A to 0x0D, 0xC2 or 0xE2, and most of the text has none: copy up to
        // the next such byte at once, then look at it.
        var index = bytes.startIndex
        while true {
            let plain = firstPossibleLineBreak(in: bytes[index...])
            _ = UnsafeMutableBufferPointer(rebasing: output[written...]).initialize(fromContentsOf: bytes[index..<plain])
            written += plain - index
            index = plain
            guard index < bytes.endIndex else { return }
            let byte = bytes[index]
            var replaced = true
            switch byte {
            case 0x0A, 0x0B, 0x0C:
                break
            case 0x0D:
                if index + 1 < bytes.endIndex, bytes[index + 1] == 0x0A { index += 1 }
            case 0xC2 where index + 1 < bytes.endIndex && bytes[index + 1] == 0x85:
                index += 1
            case 0xE2 where index + 2 < bytes.endIndex && bytes[index + 1] == 0x80 && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9):
                index += 2
            default:
                replaced = false
            }
            output[written] = replaced ? 0x20 : byte
            written += 1
            index += 1
        }
    }

    /// The index of the first byte of `bytes` that may start a line break (0x0A to 0x0D, 0xC2 or 0xE2), or the end
    /// index. Whole words without one are skipped eight bytes at a time; a word with one (or with a tab or
    /// another control byte from 0x08 to 0x0F) is looked at byte by byte.
    static func firstPossibleLineBreak(in bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Int {
        var index = bytes.startIndex
        if let base = bytes.base.baseAddress {
            let raw = UnsafeRawPointer(base)
            let ones = ByteWords.ones
            while index + 8 <= bytes.endIndex {
                let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                // 0x08...0x0F become 0x00...0x07 after the XOR: a lane below 8 (and still below 0x80) is one of them.
                let shifted = word ^ (ones &* 0x08)
                let control = (shifted &- ones &* 0x08) & ~shifted & ByteWords.highBits != 0
                if control || ByteWords.hasZeroByte(word ^ (ones &* 0xC2)) || ByteWords.hasZeroByte(word ^ (ones &* 0xE2)) {
                    break
                }
                index += 8
            }
        }
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte &- 0x0A < 4 || byte == 0xC2 || byte == 0xE2 { return index }
            index += 1
        }
        return index
    }
}
