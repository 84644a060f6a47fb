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
            var before = 0
            for index in 0..<lower where bytes[index] & 0xC0 != 0x80 { before += 1 }
            var inside = 0
            for index in lower..<upper where bytes[index] & 0xC0 != 0x80 { inside += 1 }
            return before..<(before + inside)
        }
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
            var excerpt = start > 0 ? "…" : ""
            excerpt += String(decoding: bytes[start..<range.lowerBound], as: UTF8.self)
            excerpt += "[" + String(decoding: bytes[range.lowerBound..<matchEnd], as: UTF8.self)
            excerpt += (matchEnd < range.upperBound ? "…" : "") + "]"
            excerpt += String(decoding: bytes[range.upperBound..<end], as: UTF8.self)
            if end < bytes.count { excerpt += "…" }
            return String(excerpt.map { $0.isNewline ? " " : $0 })
        }
    }
}
