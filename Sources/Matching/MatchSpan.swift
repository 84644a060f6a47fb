/// Where a match lies in the text it was found in.
public struct MatchSpan: Sendable, Hashable {
    /// Byte offsets into the UTF-8 text.
    public var utf8: Range<Int>

    public init(utf8: Range<Int>) {
        self.utf8 = utf8
    }

    /// The same span in characters (extended grapheme clusters) of `text`.
    public func characters(in text: String) -> Range<Int> {
        let utf8View = text.utf8
        let startIndex = utf8View.index(utf8View.startIndex, offsetBy: utf8.lowerBound)
        let endIndex = utf8View.index(utf8View.startIndex, offsetBy: utf8.upperBound)
        let lower = text.distance(from: text.startIndex, to: startIndex)
        let upper = lower + text.distance(from: startIndex, to: endIndex)
        return lower..<upper
    }

    /// The matched text itself.
    public func matchedText(in text: String) -> String {
        let bytes = Array(text.utf8)
        return String(decoding: bytes[utf8.clamped(to: 0..<bytes.count)], as: UTF8.self)
    }

    /// A short, single-line excerpt around the match for explanations: at most `width` characters of context
    /// on each side, with `…` where text was cut.
    public func excerpt(in text: String, width: Int = 24) -> String {
        let bytes = Array(text.utf8)
        let range = utf8.clamped(to: 0..<bytes.count)
        let before = String(decoding: bytes[..<range.lowerBound], as: UTF8.self)
        let match = String(decoding: bytes[range], as: UTF8.self)
        let after = String(decoding: bytes[range.upperBound...], as: UTF8.self)
        let head = before.count > width ? "…" + before.suffix(width) : Substring(before)
        let tail = after.count > width ? after.prefix(width) + "…" : Substring(after)
        let cappedMatch = match.count > 80 ? match.prefix(80) + "…" : Substring(match)
        let joined = head + "[" + cappedMatch + "]" + tail
        return String(joined.map { $0.isNewline ? " " : $0 })
    }
}
