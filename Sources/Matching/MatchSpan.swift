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

    /// How many code points start in UTF-8 `bytes`: every byte but the continuation bytes, eight at a time.
    static func codePoints(in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        let raw = UnsafeRawPointer(base)
        var continuations = 0
        var offset = 0
        while offset + 8 <= bytes.count {
            // Per-byte counters (one per lane), summed every 255 words before a lane could overflow.
            var lanes: UInt64 = 0
            var words = 0
            while words < 255, offset + 8 <= bytes.count {
                let word = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                // A continuation byte is 10xxxxxx: bit 7 set and bit 6 clear.
                lanes &+= (word & ~(word << 1) & 0x8080_8080_8080_8080) >> 7
                offset += 8
                words += 1
            }
            // Lanes hold up to 255 each: pair them into 16-bit lanes before summing, so the sum cannot overflow.
            let pairs = (lanes & 0x00FF_00FF_00FF_00FF) &+ ((lanes >> 8) & 0x00FF_00FF_00FF_00FF)
            continuations += Int((pairs &* 0x0001_0001_0001_0001) >> 48)
        }
        while offset < bytes.count {
            if bytes[offset] & 0xC0 == 0x80 { continuations += 1 }
            offset += 1
        }
        return bytes.count - continuations
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
            // Walk `count` code points back (or forward) from a byte offset, staying on code point boundaries.
            func back(from offset: Int, count: Int) -> Int {
                var position = offset
                var seen = 0
                while position > 0, seen < count {
                    position -= 1
                    if bytes[position] & 0xC0 != 0x80 { seen += 1 }
                }
                return position
            }
            func forward(from offset: Int, count: Int, limit: Int) -> Int {
                var position = offset
                var seen = 0
                while position < limit, seen < count {
                    position += 1
                    while position < limit, bytes[position] & 0xC0 == 0x80 { position += 1 }
                    seen += 1
                }
                return position
            }
            let start = back(from: range.lowerBound, count: width)
            let matchEnd = forward(from: range.lowerBound, count: 80, limit: range.upperBound)
            let end = forward(from: range.upperBound, count: width, limit: bytes.count)
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

    private static let ellipsis: [UInt8] = [0xE2, 0x80, 0xA6]  // …

    /// Appends UTF-8 `bytes` with each line break (LF, VT, FF, CR, CR LF, NEL, LS, PS: the characters that
    /// `Character.isNewline` calls one) replaced by a space.
    private static func appendOnOneLine(
        _ bytes: Slice<UnsafeBufferPointer<UInt8>>, to output: UnsafeMutableBufferPointer<UInt8>, at written: inout Int
    ) {
        // Line breaks start with a byte from 0x0A to 0x0D, 0xC2 or 0xE2; most excerpts have none.
        if !bytes.contains(where: { $0 &- 0x0A < 4 || $0 == 0xC2 || $0 == 0xE2 }) {
            _ = UnsafeMutableBufferPointer(rebasing: output[written...]).initialize(fromContentsOf: bytes)
            written += bytes.count
            return
        }
        func append(_ byte: UInt8) {
            output[written] = byte
            written += 1
        }
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            switch byte {
            case 0x0A, 0x0B, 0x0C:
                append(0x20)
            case 0x0D:
                append(0x20)
                if index + 1 < bytes.endIndex, bytes[index + 1] == 0x0A { index += 1 }
            case 0xC2 where index + 1 < bytes.endIndex && bytes[index + 1] == 0x85:
                append(0x20)
                index += 1
            case 0xE2 where index + 2 < bytes.endIndex && bytes[index + 1] == 0x80 && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9):
                append(0x20)
                index += 2
            default:
                append(byte)
            }
            index += 1
        }
    }
}
