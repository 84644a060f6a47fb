/// Plain text and links recovered from the small HTML subset that fediverse servers send.
///
/// Never fails: malformed markup degrades to text. A tag the input ends inside of (`<a x`, or an attribute
/// whose quote never closes) ends the markup: from its `<` on, everything is text, tags included, so nothing
/// written after it is hidden from rules. Takes time linear in the length of the HTML.
public struct HTMLText: Sendable, Equatable {
    /// One `<a href>` found in the markup.
    public struct Anchor: Sendable, Equatable {
        public let href: String
        /// Visible text, whitespace-trimmed.
        public let text: String
        /// `class` contains `mention`, or the text starts with `@`.
        public let isMention: Bool
        /// `class` contains `hashtag`, `rel` contains `tag`, or the text starts with `#`.
        public let isHashtag: Bool
        /// Inside an element of class `quote-inline` (the `RE: <url>` fallback of quote posts).
        public let isQuoteFallback: Bool

        public init(href: String, text: String, isMention: Bool, isHashtag: Bool, isQuoteFallback: Bool) {
            self.href = href
            self.text = text
            self.isMention = isMention
            self.isHashtag = isHashtag
            self.isQuoteFallback = isQuoteFallback
        }
    }

    /// Text with tags dropped, entities decoded, paragraphs and `<br>` as newlines, other whitespace collapsed.
    public let text: String
    public let anchors: [Anchor]
    /// `http(s)` URLs written as text outside any anchor.
    public let bareURLs: [String]

    public init(html: String) {
        var html = html
        var converter = HTMLConverter()
        html.withUTF8 { converter.convert($0) }
        text = String(decoding: converter.output, as: UTF8.self)
        anchors = converter.anchors
        bareURLs = converter.output.withUnsafeBufferPointer { URLScanner.urls(in: $0, excluding: converter.anchorRanges) }
    }
}
