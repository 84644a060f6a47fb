import Foundation

/// Host names in one comparable form: lowercase, IDNA ASCII (`xn--`), no port, no trailing dot.
public enum Hostname {
    /// Normalises a host (optionally with a port or IPv6 brackets). Returns nil when it is not a plausible host.
    public static func normalize(_ host: String) -> String? {
        if isAlreadyNormal(host) { return host }
        var bytes = Array(host.utf8)
        if bytes.first == UInt8(ascii: "[") {
            guard let close = bytes.firstIndex(of: UInt8(ascii: "]")), close > 1 else { return nil }
            let inner = bytes[1..<close]
            guard inner.allSatisfy({ isHexDigit($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") }) else {
                return nil
            }
            return "[" + String(decoding: inner, as: UTF8.self).lowercased() + "]"
        }
        if let colon = bytes.lastIndex(of: UInt8(ascii: ":")) {
            guard bytes[(colon + 1)...].allSatisfy(isDigit) else { return nil }
            bytes.removeSubrange(colon...)
        }
        if bytes.allSatisfy({ $0 < 0x80 }) {
            return normalizeASCII(bytes)
        }
        let mapped = String(decoding: bytes, as: UTF8.self).precomposedStringWithCompatibilityMapping.lowercased()
        var labels: [String] = []
        for label in mapped.split(omittingEmptySubsequences: false, whereSeparator: isDot) {
            if label.utf8.allSatisfy({ $0 < 0x80 }) {
                labels.append(String(label))
            } else {
                guard let encoded = Punycode.encode(String(label)) else { return nil }
                labels.append("xn--" + encoded)
            }
        }
        return normalizeASCII(Array(labels.joined(separator: ".").utf8))
    }

    /// The normalised host of an absolute URL (`scheme://[userinfo@]host[:port]/…`), or nil.
    public static func host(ofURL url: String) -> String? {
        let utf8 = url.utf8
        guard let schemeEnd = findSchemeSeparator(utf8) else { return nil }
        var start = utf8.index(schemeEnd, offsetBy: 3)
        var end = start
        while end != utf8.endIndex {
            let byte = utf8[end]
            if byte == UInt8(ascii: "/") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#")
                || byte == UInt8(ascii: "\\")
            {
                break
            }
            if byte == UInt8(ascii: "@") { start = utf8.index(after: end) }
            end = utf8.index(after: end)
        }
        guard start < end else { return nil }
        return normalize(String(url[start..<end]))
    }

    /// Converts `xn--` labels back to Unicode for display.
    public static func unicode(_ host: String) -> String {
        host.split(separator: ".", omittingEmptySubsequences: false).map { label in
            if label.hasPrefix("xn--"), let decoded = Punycode.decode(String(label.dropFirst(4))) { return decoded }
            return String(label)
        }.joined(separator: ".")
    }

    /// The common case: lowercase ASCII letters, digits, `-`, `_` and inner dots.
    private static func isAlreadyNormal(_ host: String) -> Bool {
        let utf8 = host.utf8
        guard let first = utf8.first, let last = utf8.last, first != UInt8(ascii: "."), last != UInt8(ascii: "."),
            utf8.count <= 253
        else { return false }
        return utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= 0x30 && byte <= 0x39)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
    }

    private static func normalizeASCII(_ input: [UInt8]) -> String? {
        var bytes = input
        while bytes.last == UInt8(ascii: ".") { bytes.removeLast() }
        guard !bytes.isEmpty, bytes.count <= 253, bytes.first != UInt8(ascii: ".") else { return nil }
        for position in bytes.indices {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): bytes[position] = byte + 32
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"),
                UInt8(ascii: "_"), UInt8(ascii: "."):
                break
            default: return nil
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func findSchemeSeparator(_ utf8: String.UTF8View) -> String.UTF8View.Index? {
        var index = utf8.startIndex
        var sawLetter = false
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: ":") {
                guard sawLetter else { return nil }
                let slash1 = utf8.index(after: index)
                guard slash1 != utf8.endIndex, utf8[slash1] == UInt8(ascii: "/") else { return nil }
                let slash2 = utf8.index(after: slash1)
                guard slash2 != utf8.endIndex, utf8[slash2] == UInt8(ascii: "/") else { return nil }
                return index
            }
            let isSchemeByte = (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z")) || isDigit(byte)
                || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            guard isSchemeByte else { return nil }
            sawLetter = true
            index = utf8.index(after: index)
        }
        return nil
    }

    private static func isDot(_ character: Character) -> Bool {
        character == "." || character == "\u{3002}" || character == "\u{FF0E}" || character == "\u{FF61}"
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "f"))
    }
}
