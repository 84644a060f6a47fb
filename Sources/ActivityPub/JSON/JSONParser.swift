/// Recursive-descent RFC 8259 parser over a byte buffer.
///
/// Paths are only built while an error unwinds, so the happy path pays nothing for them.
struct JSONParser {
    /// An error on its way out; path components are collected innermost first.
    struct Failure: Error {
        enum Component {
            case key(String)
            case index(Int)
        }

        var code: JSONParseError.Code
        var offset: Int
        var message: String
        var reversedPath: [Component] = []
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private let maxDepth: Int
    private var index = 0
    private var depth = 0
    private var scratch: [UInt8] = []
    /// Members of the objects being parsed, innermost last; reused so each object is built at its final size.
    private let members = MemberStack()

    private init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, limits: JSONLimits) -> Result<JSONValue, JSONParseError> {
        if bytes.count > limits.maxBytes {
            return .failure(
                finalize(
                    Failure(
                        code: .tooLarge, offset: limits.maxBytes,
                        message: "document is \(bytes.count) bytes, over the limit of \(limits.maxBytes); "
                            + "reject the body or raise JSONLimits.maxBytes"),
                    in: bytes))
        }
        var parser = JSONParser(bytes: bytes, maxDepth: limits.maxDepth)
        do {
            return .success(try parser.parseDocument())
        } catch {
            return .failure(finalize(error, in: bytes))
        }
    }

    private static func finalize(_ failure: Failure, in bytes: UnsafeBufferPointer<UInt8>) -> JSONParseError {
        var line = 1
        var lineStart = 0
        let end = min(failure.offset, bytes.count)
        for position in 0..<end where bytes[position] == UInt8(ascii: "\n") {
            line += 1
            lineStart = position + 1
        }
        var path = "$"
        for component in failure.reversedPath.reversed() {
            switch component {
            case .index(let index): path += "[\(index)]"
            case .key(let key): path += renderKey(key)
            }
        }
        return JSONParseError(
            code: failure.code, offset: failure.offset, line: line, column: failure.offset - lineStart + 1,
            path: path, message: failure.message)
    }

    /// Keys are schema names in practice; anything that is not a plain name is elided so that
    /// user text never reaches logs through an error path.
    private static func renderKey(_ key: String) -> String {
        let plain = !key.isEmpty && key.utf8.count <= 64
            && key.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "@") || byte == UInt8(ascii: "-")
                    || byte == UInt8(ascii: ":")
            }
        return plain ? ".\(key)" : "[…]"
    }

    // MARK: - Grammar

    private mutating func parseDocument() throws(Failure) -> JSONValue {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
        skipWhitespace()
        if index == bytes.count {
            throw Failure(code: .empty, offset: index, message: "the document is empty; send a JSON object")
        }
        let value = try parseValue()
        skipWhitespace()
        if index != bytes.count {
            throw unexpected("after the top-level value; send exactly one JSON value")
        }
        return value
    }

    private mutating func parseValue() throws(Failure) -> JSONValue {
        guard index < bytes.count else { throw endOfInput() }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try parseNumber())
        default:
            throw unexpected("where a value was expected")
        }
    }

    /// Parses a member or element, adding its place to the path of any error. The place is only built when an
    /// error passes through.
    @inline(__always)
    private mutating func parseValue(at component: @autoclosure () -> Failure.Component) throws(Failure) -> JSONValue {
        do {
            return try parseValue()
        } catch {
            var failure = error
            failure.reversedPath.append(component())
            throw failure
        }
    }

    private mutating func enter() throws(Failure) {
        depth += 1
        if depth > maxDepth {
            throw Failure(
                code: .tooDeep, offset: index,
                message: "nesting is deeper than \(maxDepth) levels; flatten the document or raise JSONLimits.maxDepth")
        }
    }

    private mutating func parseObject() throws(Failure) -> JSONValue {
        try enter()
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object(JSONObject())
        }
        let first = members.count
        while true {
            guard index < bytes.count else { throw endOfInput() }
            guard bytes[index] == UInt8(ascii: "\"") else { throw unexpected("where an object key string was expected") }
            let key = try parseKey()
            skipWhitespace()
            guard index < bytes.count else { throw endOfInput() }
            guard bytes[index] == UInt8(ascii: ":") else { throw unexpected("where ':' was expected after a key") }
            index += 1
            skipWhitespace()
            members.push((key, try parseValue(at: .key(key))))
            skipWhitespace()
            guard index < bytes.count else { throw endOfInput() }
            switch bytes[index] {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
            case UInt8(ascii: "}"):
                index += 1
                depth -= 1
                return .object(JSONObject(parsed: members.pop(from: first)))
            default:
                throw unexpected("where ',' or '}' was expected in an object")
            }
        }
    }

    private mutating func parseArray() throws(Failure) -> JSONValue {
        try enter()
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            elements.append(try parseValue(at: .index(elements.count)))
            skipWhitespace()
            guard index < bytes.count else { throw endOfInput() }
            switch bytes[index] {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
            case UInt8(ascii: "]"):
                index += 1
                depth -= 1
                return .array(elements)
            default:
                throw unexpected("where ',' or ']' was expected in an array")
            }
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(Failure) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw unexpected("while reading a literal") }
        let expected = literal.utf8Start
        for offset in 0..<count where bytes[index + offset] != expected[offset] {
            index += offset
            throw unexpected("while reading a literal; only true, false and null are allowed")
        }
        index += count
    }

    // MARK: - Strings

    /// An object key: the ActivityStreams, Mastodon and Misskey property names that make up most keys come from
    /// a table of string constants, which are neither validated nor reference counted; others are parsed as
    /// strings.
    private mutating func parseKey() throws(Failure) -> String {
        let start = index + 1
        let end = skipPlainASCII(from: start)
        if end < bytes.count, bytes[end] == UInt8(ascii: "\""), let known = KnownKeys.lookup(bytes, start..<end) {
            index = end + 1
            return known
        }
        return try parseString()
    }

    private mutating func parseString() throws(Failure) -> String {
        index += 1
        let start = index
        // Fast path: no escapes, so the bytes can be used as they are.
        index = skipPlainASCII(from: index)
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let string = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return string
            } else if byte == UInt8(ascii: "\\") {
                scratch.removeAll(keepingCapacity: true)
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                return try parseEscapedString()
            } else if byte < 0x20 {
                throw Failure(
                    code: .syntax, offset: index,
                    message: "unescaped control character in a string; escape it as \\u00XX")
            } else if byte >= 0x80 {
                index = try validateMultibyte(at: index)
            } else {
                index = skipPlainASCII(from: index + 1)
            }
        }
        throw endOfInput()
    }

    /// Skips, eight bytes at a time, ASCII string bytes that need no attention (not `"`, `\`, control or non-ASCII).
    @inline(__always)
    private func skipPlainASCII(from start: Int) -> Int {
        guard let base = bytes.baseAddress else { return start }
        var position = start
        let high: UInt64 = 0x8080_8080_8080_8080
        let ones: UInt64 = 0x0101_0101_0101_0101
        while position + 8 <= bytes.count {
            let word = UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self)
            let quote = word ^ (ones &* 0x22)
            let backslash = word ^ (ones &* 0x5C)
            let special =
                (word & high) | ((word &- ones &* 0x20) & ~word & high) | ((quote &- ones) & ~quote & high)
                | ((backslash &- ones) & ~backslash & high)
            if special != 0 { break }
            position += 8
        }
        return position
    }

    private mutating func parseEscapedString() throws(Failure) -> String {
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: scratch, as: UTF8.self)
            } else if byte == UInt8(ascii: "\\") {
                try parseEscape()
            } else if byte < 0x20 {
                throw Failure(
                    code: .syntax, offset: index,
                    message: "unescaped control character in a string; escape it as \\u00XX")
            } else {
                let runStart = index
                index = skipPlainASCII(from: index)
                while index < bytes.count {
                    let byte = bytes[index]
                    if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { break }
                    index = byte >= 0x80 ? try validateMultibyte(at: index) : index + 1
                }
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
            }
        }
        throw endOfInput()
    }

    private mutating func parseEscape() throws(Failure) {
        guard index + 1 < bytes.count else { throw endOfInput() }
        let escapeStart = index
        let kind = bytes[index + 1]
        index += 2
        switch kind {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(kind)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try readHex4()
            if (0xD800...0xDBFF).contains(scalar) {
                if index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                    let save = index
                    index += 2
                    let low = try readHex4()
                    if (0xDC00...0xDFFF).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        scalar = 0xFFFD
                        index = save
                    }
                } else {
                    scalar = 0xFFFD
                }
            } else if (0xDC00...0xDFFF).contains(scalar) {
                scalar = 0xFFFD
            }
            appendScalar(scalar)
        default:
            index = escapeStart
            throw Failure(
                code: .syntax, offset: escapeStart,
                message: "invalid escape sequence; allowed are \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX")
        }
    }

    private mutating func readHex4() throws(Failure) -> UInt32 {
        guard index + 4 <= bytes.count else { throw endOfInput() }
        var value: UInt32 = 0
        for offset in 0..<4 {
            let byte = bytes[index + offset]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default:
                throw Failure(
                    code: .syntax, offset: index + offset, message: "\\u must be followed by four hex digits")
            }
            value = value << 4 | digit
        }
        index += 4
        return value
    }

    private mutating func appendScalar(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(scalar))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | (scalar >> 6)))
            scratch.append(UInt8(0x80 | (scalar & 0x3F)))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | (scalar >> 12)))
            scratch.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (scalar & 0x3F)))
        default:
            scratch.append(UInt8(0xF0 | (scalar >> 18)))
            scratch.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            scratch.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }

    /// Checks one UTF-8 sequence starting with a non-ASCII byte and returns the index after it.
    private func validateMultibyte(at start: Int) throws(Failure) -> Int {
        let lead = bytes[start]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: throw invalidUTF8(at: start)
        }
        guard start + length <= bytes.count else { throw invalidUTF8(at: start) }
        let second = bytes[start + 1]
        guard second >= low, second <= high else { throw invalidUTF8(at: start) }
        for offset in 2..<max(length, 2) where bytes[start + offset] & 0xC0 != 0x80 {
            throw invalidUTF8(at: start)
        }
        return start + length
    }

    /// `offset` is the first byte of the broken sequence.
    private func invalidUTF8(at offset: Int) -> Failure {
        Failure(
            code: .invalidUTF8, offset: offset,
            message: "invalid UTF-8 byte sequence; the body must be UTF-8 encoded")
    }

    // MARK: - Numbers

    private mutating func parseNumber() throws(Failure) -> Double {
        let start = index
        var negative = false
        if bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        guard index < bytes.count, isDigit(bytes[index]) else { throw unexpected("in a number; expected a digit") }
        var integer: UInt64 = 0
        var digits = 0
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) {
                throw unexpected("in a number; leading zeros are not allowed")
            }
            digits = 1
        } else {
            while index < bytes.count, isDigit(bytes[index]) {
                if digits < 18 { integer = integer &* 10 &+ UInt64(bytes[index] - UInt8(ascii: "0")) }
                digits += 1
                index += 1
            }
        }
        var simple = digits <= 15
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            simple = false
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else {
                throw unexpected("in a number; a digit must follow the decimal point")
            }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            simple = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < bytes.count, isDigit(bytes[index]) else {
                throw unexpected("in a number; a digit must follow the exponent")
            }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if simple {
            let value = Double(integer)
            return negative ? -value : value
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        return Double(text) ?? (negative ? -.infinity : .infinity)
    }

    @inline(__always)
    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    // MARK: - Helpers

    @inline(__always)
    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private func endOfInput() -> Failure {
        Failure(code: .syntax, offset: bytes.count, message: "unexpected end of input; the document is truncated")
    }

    private func unexpected(_ context: String) -> Failure {
        guard index < bytes.count else { return endOfInput() }
        let byte = bytes[index]
        if byte >= 0x80 {
            do {
                _ = try validateMultibyte(at: index)
            } catch {
                return error
            }
            return Failure(code: .syntax, offset: index, message: "unexpected non-ASCII character \(context)")
        }
        let shown = byte >= 0x21 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
        return Failure(code: .syntax, offset: index, message: "unexpected \(shown) \(context)")
    }
}

/// The members of the objects being parsed, innermost last.
///
/// An object's members are moved out into their array when it closes, not copied and then destroyed: with an
/// `Array` here, every key and value was retained for the copy and released again, through the generic tuple
/// witnesses, which was a sixth of parsing an activity.
private final class MemberStack {
    private var storage: UnsafeMutablePointer<JSONObject.Element>
    private var capacity = 16
    private(set) var count = 0

    init() {
        storage = .allocate(capacity: capacity)
    }

    deinit {
        storage.deinitialize(count: count)
        storage.deallocate()
    }

    func push(_ member: JSONObject.Element) {
        if count == capacity {
            let grown = UnsafeMutablePointer<JSONObject.Element>.allocate(capacity: capacity * 2)
            grown.moveInitialize(from: storage, count: count)
            storage.deallocate()
            storage = grown
            capacity *= 2
        }
        (storage + count).initialize(to: member)
        count += 1
    }

    /// Moves the members from position `first` on out, in order.
    func pop(from first: Int) -> [JSONObject.Element] {
        let moved = count - first
        guard moved > 0 else { return [] }
        let members = [JSONObject.Element](unsafeUninitializedCapacity: moved) { buffer, initialized in
            buffer.baseAddress!.moveInitialize(from: storage + first, count: moved)
            initialized = moved
        }
        count = first
        return members
    }
}

/// Property names common in activities and actors, by length.
private enum KnownKeys {
    private static let table: [[(bytes: [UInt8], key: String)]] = {
        let keys = [
            "@context", "id", "type", "actor", "object", "target", "to", "cc", "bto", "bcc", "audience", "published",
            "updated", "content", "contentMap", "summary", "summaryMap", "name", "nameMap", "url", "href", "tag",
            "attachment", "mediaType", "attributedTo", "inReplyTo", "sensitive", "conversation", "blurhash", "width",
            "height", "focalPoint", "replies", "likes", "shares", "first", "next", "partOf", "items", "totalItems",
            "atomUri", "inReplyToAtomUri", "ostatus", "toot", "Hashtag", "signature", "creator", "created",
            "signatureValue", "source", "language", "oneOf", "anyOf", "endTime", "closed", "votersCount",
            "preferredUsername", "followers", "following", "inbox", "outbox", "endpoints", "sharedInbox", "publicKey",
            "owner", "publicKeyPem", "icon", "image", "manuallyApprovesFollowers", "discoverable", "indexable",
            "featured", "featuredTags", "alsoKnownAs", "movedTo", "value", "rel", "schema", "PropertyValue",
            "memorial", "suspended", "quoteUri", "quoteUrl", "quoteURL", "quote", "_misskey_content",
            "_misskey_quote", "_misskey_reaction", "_misskey_summary", "misskey", "vcard", "Emoji", "emoji",
            "EmojiReact", "licence", "isCat", "approvedBy", "interactionPolicy", "canQuote", "canReply", "canLike",
            "canAnnounce", "always", "automaticApproval", "manualApproval", "identifier", "mediaUpload",
            "commentsEnabled", "stickied", "distinguished", "moderators", "postingRestrictedToMods", "digest",
            "proof", "proofValue", "proofPurpose", "verificationMethod", "cryptosuite", "keyId",
        ]
        var table = [[(bytes: [UInt8], key: String)]](repeating: [], count: 32)
        for key in keys where key.utf8.count < table.count { table[key.utf8.count].append((Array(key.utf8), key)) }
        return table
    }()

    static func lookup(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String? {
        guard range.count < table.count else { return nil }
        let key = UnsafeBufferPointer(rebasing: bytes[range])
        return table[range.count].first { $0.bytes.elementsEqual(key) }?.key
    }
}
