import Foundation

/// RFC 8941 structured field values, as far as RFC 9421 signatures and `Content-Digest` need them:
/// dictionaries whose members are items or inner lists, with parameters, and every bare item type
/// except the RFC 9651 additions (dates, display strings).
///
/// Header values are untrusted, so parsing is one linear pass over a bounded number of bytes, keys may not
/// repeat (RFC 8941 would keep the last; a repeated `keyid` or label is more likely an attack than a
/// mistake), and every failure is a `SignatureError` naming the field and byte offset, never the value.
enum StructuredField {
    /// Longer values are refused before parsing; a real `Signature-Input` is a few hundred bytes.
    static let maximumLength = 16 * 1024
    /// The most dictionary members, inner list items or parameters one value may hold.
    static let maximumMembers = 64

    enum BareItem: Sendable, Equatable {
        case integer(Int64)
        /// Kept in its serialized form, which is canonical after parsing.
        case decimal(String)
        case string(String)
        case token(String)
        case byteSequence([UInt8])
        case boolean(Bool)
    }

    struct Parameter: Sendable, Equatable {
        var key: String
        var value: BareItem
    }

    struct Item: Sendable, Equatable {
        var value: BareItem
        var parameters: [Parameter] = []
    }

    struct InnerList: Sendable, Equatable {
        var items: [Item]
        var parameters: [Parameter] = []
    }

    enum Member: Sendable, Equatable {
        case item(Item)
        case innerList(InnerList)
    }

    struct DictionaryMember: Sendable, Equatable {
        var key: String
        var value: Member
    }

    /// Parses a dictionary field value (all field lines already combined with `", "`).
    ///
    /// - Parameter field: the header name, for error messages.
    static func parseDictionary(_ value: String, field: String) throws(SignatureError) -> [DictionaryMember] {
        var parser = try Parser(value, field: field)
        return try parser.parseDictionary()
    }
}

extension StructuredField.Parameter {
    init(_ key: String, _ value: StructuredField.BareItem) {
        self.init(key: key, value: value)
    }
}

extension [StructuredField.Parameter] {
    subscript(key: String) -> StructuredField.BareItem? {
        first { $0.key == key }?.value
    }
}

// MARK: - Parsing (RFC 8941 section 4.2)

extension StructuredField {
    private struct Parser {
        private let bytes: [UInt8]
        private let field: String
        private var index = 0

        init(_ value: String, field: String) throws(SignatureError) {
            self.field = field
            guard value.utf8.count <= StructuredField.maximumLength else {
                throw SignatureError(
                    .malformedHeader,
                    "\(field) is longer than \(StructuredField.maximumLength) bytes; send one short signature")
            }
            var bytes = Array(value.utf8)[...]
            while bytes.first == .space { bytes.removeFirst() }
            while bytes.last == .space { bytes.removeLast() }
            self.bytes = Array(bytes)
        }

        private var next: UInt8? { index < bytes.count ? bytes[index] : nil }

        private func malformed(_ what: String) -> SignatureError {
            SignatureError(
                .malformedHeader,
                "\(field) is not a valid structured-field dictionary (RFC 8941): \(what) at byte \(index); "
                    + "the sender must serialize it as RFC 8941 describes")
        }

        private mutating func skipSpaces() {
            while next == .space { index += 1 }
        }

        private mutating func skipOptionalWhitespace() {
            while next == .space || next == .tab { index += 1 }
        }

        mutating func parseDictionary() throws(SignatureError) -> [DictionaryMember] {
            var members: [DictionaryMember] = []
            while index < bytes.count {
                let key = try parseKey()
                guard !members.contains(where: { $0.key == key }) else { throw malformed("a repeated key") }
                guard members.count < StructuredField.maximumMembers else { throw malformed("too many members") }
                let value: Member
                if next == UInt8(ascii: "=") {
                    index += 1
                    value = try parseItemOrInnerList()
                } else {
                    value = .item(Item(value: .boolean(true), parameters: try parseParameters()))
                }
                members.append(DictionaryMember(key: key, value: value))
                skipOptionalWhitespace()
                guard let separator = next else { break }
                guard separator == UInt8(ascii: ",") else { throw malformed("text after a member where ',' belongs") }
                index += 1
                skipOptionalWhitespace()
                guard index < bytes.count else { throw malformed("a trailing comma") }
            }
            return members
        }

        private mutating func parseItemOrInnerList() throws(SignatureError) -> Member {
            guard next == UInt8(ascii: "(") else { return .item(try parseItem()) }
            index += 1
            var items: [Item] = []
            while true {
                skipSpaces()
                guard let byte = next else { throw malformed("an inner list without ')'") }
                if byte == UInt8(ascii: ")") {
                    index += 1
                    return .innerList(InnerList(items: items, parameters: try parseParameters()))
                }
                guard items.count < StructuredField.maximumMembers else { throw malformed("too many list items") }
                items.append(try parseItem())
                guard next == .space || next == UInt8(ascii: ")") else {
                    throw malformed("an inner list item not followed by a space or ')'")
                }
            }
        }

        private mutating func parseItem() throws(SignatureError) -> Item {
            let value = try parseBareItem()
            return Item(value: value, parameters: try parseParameters())
        }

        private mutating func parseParameters() throws(SignatureError) -> [Parameter] {
            var parameters: [Parameter] = []
            while next == UInt8(ascii: ";") {
                index += 1
                skipSpaces()
                let key = try parseKey()
                guard !parameters.contains(where: { $0.key == key }) else { throw malformed("a repeated parameter") }
                guard parameters.count < StructuredField.maximumMembers else { throw malformed("too many parameters") }
                var value = BareItem.boolean(true)
                if next == UInt8(ascii: "=") {
                    index += 1
                    value = try parseBareItem()
                }
                parameters.append(Parameter(key: key, value: value))
            }
            return parameters
        }

        private mutating func parseKey() throws(SignatureError) -> String {
            guard let first = next, first.isLowercaseLetter || first == UInt8(ascii: "*") else {
                throw malformed("a key that does not start with a lowercase letter or '*'")
            }
            let start = index
            while let byte = next, byte.isKeyByte { index += 1 }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        private mutating func parseBareItem() throws(SignatureError) -> BareItem {
            guard let byte = next else { throw malformed("a missing value") }
            switch byte {
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
            case UInt8(ascii: "\""): return try parseString()
            case UInt8(ascii: ":"): return try parseByteSequence()
            case UInt8(ascii: "?"): return try parseBoolean()
            case UInt8(ascii: "*"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
                return parseToken()
            default: throw malformed("a value of unknown type")
            }
        }

        private mutating func parseNumber() throws(SignatureError) -> BareItem {
            var negative = false
            if next == UInt8(ascii: "-") {
                negative = true
                index += 1
            }
            guard let first = next, first.isDigit else { throw malformed("a number without digits") }
            var integerDigits: [UInt8] = []
            var fractionDigits: [UInt8]?
            while let byte = next {
                if byte.isDigit {
                    if fractionDigits == nil { integerDigits.append(byte) } else { fractionDigits?.append(byte) }
                } else if byte == UInt8(ascii: "."), fractionDigits == nil {
                    guard integerDigits.count <= 12 else { throw malformed("a decimal with over 12 integer digits") }
                    fractionDigits = []
                } else {
                    break
                }
                index += 1
                guard fractionDigits != nil || integerDigits.count <= 15 else {
                    throw malformed("an integer with over 15 digits")
                }
            }
            guard let fraction = fractionDigits else {
                // At most 15 digits, so this cannot overflow.
                let magnitude = integerDigits.reduce(Int64(0)) { $0 * 10 + Int64($1 - UInt8(ascii: "0")) }
                return .integer(negative ? -magnitude : magnitude)
            }
            guard !fraction.isEmpty, fraction.count <= 3 else {
                throw malformed("a decimal without 1 to 3 fraction digits")
            }
            let integerPart = integerDigits.drop { $0 == UInt8(ascii: "0") }
            var fractionPart = fraction[...]
            while fractionPart.count > 1, fractionPart.last == UInt8(ascii: "0") { fractionPart.removeLast() }
            let text =
                (negative ? "-" : "") + (integerPart.isEmpty ? "0" : String(decoding: integerPart, as: UTF8.self))
                + "." + String(decoding: fractionPart, as: UTF8.self)
            return .decimal(text)
        }

        private mutating func parseString() throws(SignatureError) -> BareItem {
            index += 1
            var value: [UInt8] = []
            while let byte = next {
                index += 1
                switch byte {
                case UInt8(ascii: "\\"):
                    guard let escaped = next, escaped == UInt8(ascii: "\"") || escaped == UInt8(ascii: "\\") else {
                        throw malformed("a backslash in a string not followed by '\"' or '\\'")
                    }
                    index += 1
                    value.append(escaped)
                case UInt8(ascii: "\""):
                    return .string(String(decoding: value, as: UTF8.self))
                case 0x20...0x7E:
                    value.append(byte)
                default:
                    throw malformed("a control or non-ASCII character in a string")
                }
            }
            throw malformed("an unterminated string")
        }

        private mutating func parseToken() -> BareItem {
            let start = index
            index += 1
            while let byte = next, byte.isTokenByte || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "/") {
                index += 1
            }
            return .token(String(decoding: bytes[start..<index], as: UTF8.self))
        }

        private mutating func parseByteSequence() throws(SignatureError) -> BareItem {
            index += 1
            let start = index
            while let byte = next, byte != UInt8(ascii: ":") {
                guard byte.isBase64Byte else { throw malformed("a byte sequence with a character outside base64") }
                index += 1
            }
            guard next == UInt8(ascii: ":") else { throw malformed("a byte sequence without its closing ':'") }
            var base64 = String(decoding: bytes[start..<index], as: UTF8.self)
            index += 1
            // RFC 8941 asks parsers to accept base64 without its '=' padding.
            if !base64.hasSuffix("="), base64.utf8.count % 4 != 0 {
                base64 += String(repeating: "=", count: 4 - base64.utf8.count % 4)
            }
            guard let data = Data(base64Encoded: base64) else { throw malformed("a byte sequence that is not base64") }
            return .byteSequence(Array(data))
        }

        private mutating func parseBoolean() throws(SignatureError) -> BareItem {
            index += 1
            guard let byte = next, byte == UInt8(ascii: "0") || byte == UInt8(ascii: "1") else {
                throw malformed("a boolean that is neither ?0 nor ?1")
            }
            index += 1
            return .boolean(byte == UInt8(ascii: "1"))
        }
    }
}

// MARK: - Serialization (RFC 8941 section 4.1)

extension StructuredField.BareItem {
    var serialized: String {
        switch self {
        case .integer(let value): String(value)
        case .decimal(let text): text
        case .string(let value):
            "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                + "\""
        case .token(let value): value
        case .byteSequence(let bytes): ":" + Data(bytes).base64EncodedString() + ":"
        case .boolean(let value): value ? "?1" : "?0"
        }
    }

    /// True when `value` can be sent as a structured-field string: printable ASCII only.
    static func isSerializableString(_ value: String) -> Bool {
        value.utf8.allSatisfy { (0x20...0x7E).contains($0) }
    }
}

extension [StructuredField.Parameter] {
    var serialized: String {
        map { $0.value == .boolean(true) ? ";\($0.key)" : ";\($0.key)=\($0.value.serialized)" }.joined()
    }
}

extension StructuredField.Item {
    var serialized: String { value.serialized + parameters.serialized }
}

extension StructuredField.InnerList {
    var serialized: String { "(" + items.map(\.serialized).joined(separator: " ") + ")" + parameters.serialized }
}

extension UInt8 {
    fileprivate static let space = UInt8(ascii: " ")
    fileprivate static let tab = UInt8(ascii: "\t")

    fileprivate var isDigit: Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) }
    fileprivate var isLowercaseLetter: Bool { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) }

    fileprivate var isKeyByte: Bool {
        isLowercaseLetter || isDigit || "_-.*".utf8.contains(self)
    }

    /// RFC 9110 `tchar`.
    fileprivate var isTokenByte: Bool {
        isDigit || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self) || "!#$%&'*+-.^_`|~".utf8.contains(self)
    }

    fileprivate var isBase64Byte: Bool {
        isDigit || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self) || "+/=".utf8.contains(self)
    }
}
