/// The state machine behind `HTMLText`.
struct HTMLConverter {
    private(set) var output: [UInt8] = []
    private(set) var anchors: [HTMLText.Anchor] = []
    private(set) var anchorRanges: [Range<Int>] = []

    private var pendingSpace = false
    private var pendingBreaks = 0
    private var openAnchor: (tag: Tag, start: Int, quote: Bool)?
    private var quoteElement: UInt64?
    private var quoteDepth = 0
    /// Set when a tag ran to the end of the input unclosed: every later `<` would be scanned to the end again,
    /// so the rest of the input is text.
    private var markupEnded = false

    /// What follows a `<`.
    private enum TagScan: Equatable {
        case tag(Tag, end: Int)
        /// Text: the `<` is not followed by a letter, `/`, `!` or `?`.
        case notATag
        /// A tag that the input ends inside of.
        case unterminated
    }

    private struct Tag: Equatable {
        /// The first eight bytes of the lowercased tag name, packed; enough to tell the tags we care about apart.
        var name: UInt64 = 0
        var isClosing = false
        var href: String?
        var hasMentionClass = false
        var hasHashtagClass = false
        var hasQuoteInlineClass = false
        var hasTagRel = false
    }

    mutating func convert(_ input: UnsafeBufferPointer<UInt8>) {
        output.reserveCapacity(input.count)
        var index = 0
        let count = input.count
        while index < count {
            let byte = input[index]
            if byte == UInt8(ascii: "<"), !markupEnded, case let scan = Self.parseTag(input, at: index),
                scan != .notATag
            {
                guard case .tag(let tag, let end) = scan else {
                    markupEnded = true
                    continue
                }
                index = handle(tag, input: input, after: end)
            } else if byte == UInt8(ascii: "&"), let (text, end) = Self.parseEntity(input, at: index) {
                emitReference(text)
                index = end
            } else if Self.isSpace(byte) {
                pendingSpace = true
                index += 1
            } else {
                // A run of text up to the next markup or whitespace is copied in one go, single spaces between
                // words included: they are what collapsing would write anyway.
                var end = index + 1
                while end < count {
                    let next = input[end]
                    if next == UInt8(ascii: "<") || next == UInt8(ascii: "&") { break }
                    if Self.isSpace(next) {
                        guard next == UInt8(ascii: " "), end + 1 < count else { break }
                        let after = input[end + 1]
                        if Self.isSpace(after) || after == UInt8(ascii: "<") || after == UInt8(ascii: "&") { break }
                    }
                    end += 1
                }
                flush()
                output.append(contentsOf: UnsafeBufferPointer(rebasing: input[index..<end]))
                index = end
            }
        }
        closeAnchor()
    }

    // MARK: - Output

    private mutating func flush() {
        if !output.isEmpty {
            if pendingBreaks > 0 {
                for _ in 0..<min(pendingBreaks, 2) { output.append(UInt8(ascii: "\n")) }
            } else if pendingSpace {
                output.append(UInt8(ascii: " "))
            }
        }
        pendingBreaks = 0
        pendingSpace = false
    }

    private mutating func emitReference(_ text: String) {
        if text == "\u{A0}" || text == " " || text == "\t" || text == "\n" {
            pendingSpace = true
            return
        }
        flush()
        output.append(contentsOf: text.utf8)
    }

    // MARK: - Tags

    private mutating func handle(_ tag: Tag, input: UnsafeBufferPointer<UInt8>, after end: Int) -> Int {
        trackQuote(tag)
        switch tag.name {
        case Names.br:
            pendingBreaks += 1
        case Names.p:
            pendingBreaks = max(pendingBreaks, 2)
        case _ where Names.isBlock(tag.name):
            pendingBreaks = max(pendingBreaks, 1)
        case Names.a:
            closeAnchor()
            if !tag.isClosing, tag.href != nil {
                openAnchor = (tag, output.count, quoteElement != nil)
            }
        case Names.script:
            if !tag.isClosing { return Self.skipRawText(input, from: end, closing: "script") }
        case Names.style:
            if !tag.isClosing { return Self.skipRawText(input, from: end, closing: "style") }
        default:
            break
        }
        return end
    }

    private mutating func trackQuote(_ tag: Tag) {
        if let element = quoteElement {
            guard tag.name == element else { return }
            quoteDepth += tag.isClosing ? -1 : 1
            if quoteDepth == 0 { quoteElement = nil }
        } else if !tag.isClosing, tag.hasQuoteInlineClass {
            quoteElement = tag.name
            quoteDepth = 1
        }
    }

    private mutating func closeAnchor() {
        guard let anchor = openAnchor else { return }
        openAnchor = nil
        var start = anchor.start
        while start < output.count, output[start] == UInt8(ascii: " ") || output[start] == UInt8(ascii: "\n") {
            start += 1
        }
        let text = String(decoding: output[start...], as: UTF8.self)
        let first = start < output.count ? output[start] : 0
        let isHashtag = anchor.tag.hasHashtagClass || anchor.tag.hasTagRel || first == UInt8(ascii: "#")
            || Self.startsWithFullwidthNumberSign(output, at: start)
        let isMention = !isHashtag && (anchor.tag.hasMentionClass || first == UInt8(ascii: "@"))
        if anchors.isEmpty {
            // Posts with links usually have several (mentions, hashtags): grow once rather than at 1, 2 and 4.
            anchors.reserveCapacity(8)
            anchorRanges.reserveCapacity(8)
        }
        anchors.append(
            HTMLText.Anchor(
                href: anchor.tag.href ?? "", text: text, isMention: isMention, isHashtag: isHashtag,
                isQuoteFallback: anchor.quote))
        anchorRanges.append(anchor.start..<output.count)
    }

    /// Whether `bytes` has FULLWIDTH NUMBER SIGN (＃, U+FF03, as some Japanese posts write hashtags) at `offset`.
    private static func startsWithFullwidthNumberSign(_ bytes: [UInt8], at offset: Int) -> Bool {
        offset + 3 <= bytes.count && bytes[offset] == 0xEF && bytes[offset + 1] == 0xBC && bytes[offset + 2] == 0x83
    }

    /// Parses `<…>` at `start`. Only a `<` that is not followed by a tag's start is text at once; a scan that
    /// fails otherwise has reached the end of the input.
    private static func parseTag(_ input: UnsafeBufferPointer<UInt8>, at start: Int) -> TagScan {
        var index = start + 1
        guard index < input.count else { return .unterminated }
        if input[index] == UInt8(ascii: "!") || input[index] == UInt8(ascii: "?") {
            if matches(input, at: index, "!--") {
                var scan = index + 3
                while scan < input.count, !matches(input, at: scan, "-->") { scan += 1 }
                return .tag(Tag(), end: min(scan + 3, input.count))
            }
            guard let close = firstIndex(of: UInt8(ascii: ">"), in: input, from: index) else { return .unterminated }
            return .tag(Tag(), end: close + 1)
        }
        var tag = Tag()
        if input[index] == UInt8(ascii: "/") {
            tag.isClosing = true
            index += 1
        }
        guard index < input.count else { return .unterminated }
        guard isLetter(input[index]) else { return .notATag }
        let nameStart = index
        while index < input.count, isLetter(input[index]) || isDigit(input[index]) || input[index] == UInt8(ascii: "-") {
            index += 1
        }
        tag.name = Names.pack(UnsafeBufferPointer(rebasing: input[nameStart..<index]))
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: ">") { return .tag(tag, end: index + 1) }
            if isSpace(byte) || byte == UInt8(ascii: "/") {
                index += 1
                continue
            }
            let nameStart = index
            while index < input.count, !isSpace(input[index]), input[index] != UInt8(ascii: "="),
                input[index] != UInt8(ascii: ">")
            {
                index += 1
            }
            let name = UnsafeBufferPointer(rebasing: input[nameStart..<index])
            while index < input.count, isSpace(input[index]) { index += 1 }
            guard index < input.count, input[index] == UInt8(ascii: "=") else { continue }
            index += 1
            while index < input.count, isSpace(input[index]) { index += 1 }
            guard index < input.count else { return .unterminated }
            let valueStart: Int
            let valueEnd: Int
            let quote = input[index]
            if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
                valueStart = index + 1
                guard let close = firstIndex(of: quote, in: input, from: valueStart) else { return .unterminated }
                valueEnd = close
                index = close + 1
            } else {
                valueStart = index
                while index < input.count, !isSpace(input[index]), input[index] != UInt8(ascii: ">") { index += 1 }
                valueEnd = index
            }
            let value = UnsafeBufferPointer(rebasing: input[valueStart..<valueEnd])
            if equals(name, "href") {
                tag.href = decodeAttribute(value)
            } else if equals(name, "class") {
                forEachToken(in: value) { token in
                    if equals(token, "mention") { tag.hasMentionClass = true }
                    if equals(token, "hashtag") { tag.hasHashtagClass = true }
                    if equals(token, "quote-inline") { tag.hasQuoteInlineClass = true }
                }
            } else if equals(name, "rel") {
                forEachToken(in: value) { token in
                    if equals(token, "tag") { tag.hasTagRel = true }
                }
            }
        }
        return .unterminated
    }

    private static func skipRawText(
        _ input: UnsafeBufferPointer<UInt8>, from start: Int, closing name: StaticString
    ) -> Int {
        var index = start
        while index + 1 < input.count {
            if input[index] == UInt8(ascii: "<"), input[index + 1] == UInt8(ascii: "/") {
                var matched = true
                for offset in 0..<name.utf8CodeUnitCount {
                    let expected = name.utf8Start[offset]
                    let position = index + 2 + offset
                    if position >= input.count || input[position] | 0x20 != expected {
                        matched = false
                        break
                    }
                }
                if matched { return index }
            }
            index += 1
        }
        return input.count
    }

    private static func decodeAttribute(_ value: UnsafeBufferPointer<UInt8>) -> String {
        guard value.contains(UInt8(ascii: "&")) else { return String(decoding: value, as: UTF8.self) }
        var bytes: [UInt8] = []
        var index = 0
        while index < value.count {
            if value[index] == UInt8(ascii: "&"), let (text, end) = parseEntity(value, at: index, inAttribute: true) {
                bytes.append(contentsOf: text.utf8)
                index = end
            } else {
                bytes.append(value[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses the character reference at `start` (an `&`) as HTML does, returning its text and the index after
    /// it: a name with its `;`, a number with or without one, or the longest legacy name (`&copy`, `&not`) without
    /// one, except in an attribute where a letter, digit or `=` follows it (so `?a=1&copy=2` stays a URL).
    static func parseEntity(
        _ input: UnsafeBufferPointer<UInt8>, at start: Int, inAttribute: Bool = false
    ) -> (String, Int)? {
        var index = start + 1
        while index < input.count, index - start <= HTMLEntities.longestName + 1,
            isLetter(input[index]) || isDigit(input[index]) || input[index] == UInt8(ascii: "#")
        {
            index += 1
        }
        let body = UnsafeBufferPointer(rebasing: input[(start + 1)..<index])
        if body.first == UInt8(ascii: "#") {
            guard let text = HTMLEntities.decodeNumeric(body) else { return nil }
            return (text, index < input.count && input[index] == UInt8(ascii: ";") ? index + 1 : index)
        }
        if index < input.count, input[index] == UInt8(ascii: ";"),
            let text = HTMLEntities.decodeNamed(UnsafeBufferPointer(rebasing: input[(start + 1)...index]))
        {
            return (text, index + 1)
        }
        guard let (text, length) = HTMLEntities.longestLegacyPrefix(of: body) else { return nil }
        let end = start + 1 + length
        if inAttribute, end < input.count,
            isLetter(input[end]) || isDigit(input[end]) || input[end] == UInt8(ascii: "=")
        {
            return nil
        }
        return (text, end)
    }

    private static func matches(_ input: UnsafeBufferPointer<UInt8>, at index: Int, _ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= input.count else { return false }
        for offset in 0..<count where input[index + offset] != literal.utf8Start[offset] { return false }
        return true
    }

    private static func firstIndex(of byte: UInt8, in input: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var index = start
        while index < input.count {
            if input[index] == byte { return index }
            index += 1
        }
        return nil
    }

    private static func forEachToken(
        in value: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void
    ) {
        var start = 0
        for index in 0...value.count where index == value.count || isSpace(value[index]) {
            if index > start { body(UnsafeBufferPointer(rebasing: value[start..<index])) }
            start = index + 1
        }
    }

    private static func equals(_ token: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
        guard token.count == literal.utf8CodeUnitCount else { return false }
        for offset in 0..<token.count where token[offset] | 0x20 != literal.utf8Start[offset] { return false }
        return true
    }

    private static func isLetter(_ byte: UInt8) -> Bool { byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A }
    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D || byte == 0x0C
    }
}

/// Packed tag names, compared as integers instead of strings.
private enum Names {
    static let a = pack("a")
    static let br = pack("br")
    static let p = pack("p")
    static let script = pack("script")
    static let style = pack("style")
    /// Block elements, sorted: a tag is looked up by binary search, without hashing.
    private static let blocks: [UInt64] =
        ["div", "li", "ul", "ol", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "pre", "hr", "table"]
        .map { pack($0) }.sorted()

    static func isBlock(_ name: UInt64) -> Bool {
        var low = 0
        var high = blocks.count
        while low < high {
            let middle = (low + high) / 2
            if blocks[middle] == name { return true }
            if blocks[middle] < name { low = middle + 1 } else { high = middle }
        }
        return false
    }

    static func pack(_ name: String) -> UInt64 {
        var name = name
        return name.withUTF8 { pack($0) }
    }

    static func pack(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var key: UInt64 = 0
        for byte in bytes.prefix(8) { key = key << 8 | UInt64(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) }
        return key
    }
}
