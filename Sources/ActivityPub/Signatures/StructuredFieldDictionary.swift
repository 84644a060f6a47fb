import Foundation
import RawStructuredFieldValues

/// RFC 8941 dictionaries from untrusted headers (`Signature-Input`, `Signature`, `Content-Digest`), parsed by
/// swift-http-structured-headers within limits of our own.
///
/// The library keeps the last of repeated keys, as RFC 8941 says; we refuse them, since a repeated label,
/// `keyid` or `created` is more likely an attack than a mistake and other implementations may keep the first.
/// Its maps look keys up linearly, so members and parameters are counted (one pass) and capped before parsing.
/// Every failure is a `SignatureError` naming the field, never the value.
enum StructuredFieldDictionary {
    /// Longer values are refused before parsing; a real `Signature-Input` is a few hundred bytes.
    static let maximumLength = 16 * 1024
    /// The most dictionary members, parameters (all of them together) or inner-list items one value may hold.
    static let maximumMembers = 64

    /// Parses a dictionary field value (all field lines already combined with `", "`).
    ///
    /// - Parameter field: the header name, for error messages.
    static func parse(_ value: String, field: String) throws(SignatureError) -> OrderedMap<String, ItemOrInnerList> {
        guard value.utf8.count <= maximumLength else {
            throw SignatureError(
                .malformedHeader, "\(field) is longer than \(maximumLength) bytes; send one short signature")
        }
        let bytes = Array(value.utf8)
        let separators = Separators(counting: bytes)
        guard separators.commas < maximumMembers, separators.semicolons <= maximumMembers else {
            throw malformed(field, "more than \(maximumMembers) members or parameters")
        }
        var parser = StructuredFieldValueParser(bytes)
        let dictionary: OrderedMap<String, ItemOrInnerList>
        do {
            dictionary = try parser.parseDictionaryFieldValue()
        } catch {
            throw malformed(field, "\(error)")
        }
        // In a value that parsed, every `,` and `;` outside strings separates a member or starts a parameter;
        // fewer members or parameters than that means the library folded a repeated key.
        let expectedMembers = dictionary.isEmpty ? 0 : separators.commas + 1
        guard dictionary.count == expectedMembers else { throw malformed(field, "a repeated key") }
        var parameters = 0
        for (_, member) in dictionary {
            switch member {
            case .item(let item):
                parameters += item.rfc9651Parameters.count
            case .innerList(let list):
                guard list.bareInnerList.count <= maximumMembers else { throw malformed(field, "too many list items") }
                parameters +=
                    list.rfc9651Parameters.count + list.bareInnerList.reduce(0) { $0 + $1.rfc9651Parameters.count }
            }
        }
        guard parameters == separators.semicolons else { throw malformed(field, "a repeated parameter") }
        return dictionary
    }

    /// The bytes of a byte sequence's base64 text, which RFC 8941 allows without its `=` padding.
    static func decodedBytes(_ base64: String) -> [UInt8]? {
        var base64 = base64
        if !base64.hasSuffix("="), base64.utf8.count % 4 != 0 {
            base64 += String(repeating: "=", count: 4 - base64.utf8.count % 4)
        }
        return Data(base64Encoded: base64).map(Array.init)
    }

    private static func malformed(_ field: String, _ what: String) -> SignatureError {
        SignatureError(
            .malformedHeader,
            "\(field) is not a valid structured-field dictionary (RFC 8941): \(what); the sender must serialize "
                + "it as RFC 8941 describes")
    }

    /// Commas and semicolons outside strings (`"…"`, and RFC 9651 display strings `%"…"`).
    private struct Separators {
        var commas = 0
        var semicolons = 0

        init(counting bytes: [UInt8]) {
            var index = 0
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: ","): commas += 1
                case UInt8(ascii: ";"): semicolons += 1
                case UInt8(ascii: "%") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\""):
                    index += 2
                    while index < bytes.count, bytes[index] != UInt8(ascii: "\"") { index += 1 }
                case UInt8(ascii: "\""):
                    index += 1
                    while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                        index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                    }
                default: break
                }
                index += 1
            }
        }
    }
}

extension StructuredFieldValueSerializer {
    /// An inner list with its parameters, as the `@signature-params` line and `Signature-Input` carry it.
    static func serialized(_ list: InnerList) throws(SignatureError) -> String {
        var serializer = StructuredFieldValueSerializer()
        do {
            return String(decoding: try serializer.writeListFieldValue([.innerList(list)]), as: UTF8.self)
        } catch {
            throw SignatureError(
                .malformedHeader, "the signature parameters cannot be serialized as RFC 8941 (\(error))")
        }
    }

    /// A string item: a component name as the signature base quotes it.
    static func serialized(string: String) throws(SignatureError) -> String {
        var serializer = StructuredFieldValueSerializer()
        do {
            return String(
                decoding: try serializer.writeItemFieldValue(
                    Item(bareItem: RFC9651BareItem.string(string), parameters: [:])),
                as: UTF8.self)
        } catch {
            throw SignatureError(
                .malformedHeader, "a component name cannot be serialized as an RFC 8941 string (\(error))")
        }
    }
}
