/// Character references: numeric forms and the named entities that appear in fediverse HTML.
/// Character references: numeric forms and all of HTML's named ones (`HTMLEntities+Table.swift`, generated).
enum HTMLEntities {
    /// The longest name, `CounterClockwiseContourIntegral;`.
    static let longestName = 32
    /// The longest name HTML also reads without its `;` (`middot`, `plusmn`…).
    private static let longestLegacyName = 6

    /// Decodes the numeric reference whose digits follow `&#` (`body` starts with `#`; no `;`).
    static func decodeNumeric(_ body: UnsafeBufferPointer<UInt8>) -> String? {
        guard body.first == UInt8(ascii: "#"), let value = decodeNumber(UnsafeBufferPointer(rebasing: body[1...]))
        else { return nil }
        return String(Unicode.Scalar(value) ?? "\u{FFFD}")
    }

    /// The text of the named reference `name` (with its `;`, or a legacy name without one).
    static func decodeNamed(_ name: UnsafeBufferPointer<UInt8>) -> String? {
        guard name.count <= longestName else { return nil }
        return named[String(decoding: name, as: UTF8.self)]
    }

    /// The longest legacy name (one HTML reads without `;`) that `body` starts with, and its length.
    static func longestLegacyPrefix(of body: UnsafeBufferPointer<UInt8>) -> (text: String, length: Int)? {
        var length = min(body.count, longestLegacyName)
        while length >= 2 {
            if let text = named[String(decoding: UnsafeBufferPointer(rebasing: body[..<length]), as: UTF8.self)] {
                return (text, length)
            }
            length -= 1
        }
        return nil
    }

    /// Built once from the generated table.
    static let named: [String: String] = {
        var table: [String: String] = [:]
        table.reserveCapacity(generatedCount)
        for line in generatedTable.split(separator: "\n") {
            guard let space = line.firstIndex(of: " ") else { continue }
            var text = String.UnicodeScalarView()
            for hex in line[line.index(after: space)...].split(separator: "+") {
                if let value = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(value) { text.append(scalar) }
            }
            table[String(line[..<space])] = String(text)
        }
        return table
    }()

    private static func decodeNumber(_ digits: UnsafeBufferPointer<UInt8>) -> UInt32? {
        guard let first = digits.first else { return nil }
        var radix: UInt32 = 10
        var start = 0
        if first | 0x20 == UInt8(ascii: "x") {
            radix = 16
            start = 1
        }
        guard digits.count > start else { return nil }
        var value: UInt32 = 0
        for byte in digits[start...] {
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f") where radix == 16: digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F") where radix == 16: digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
            value = min(value * radix + digit, 0x110000)
        }
        if (0x80...0x9F).contains(value), let mapped = windows1252[value] { return mapped }
        if value == 0 || value > 0x10FFFF || (0xD800...0xDFFF).contains(value) { return 0xFFFD }
        return value
    }

    /// HTML maps C1 control references to the Windows-1252 characters people meant.
    private static let windows1252: [UInt32: UInt32] = [
        0x80: 0x20AC, 0x82: 0x201A, 0x83: 0x0192, 0x84: 0x201E, 0x85: 0x2026, 0x86: 0x2020, 0x87: 0x2021,
        0x88: 0x02C6, 0x89: 0x2030, 0x8A: 0x0160, 0x8B: 0x2039, 0x8C: 0x0152, 0x8E: 0x017D, 0x91: 0x2018,
        0x92: 0x2019, 0x93: 0x201C, 0x94: 0x201D, 0x95: 0x2022, 0x96: 0x2013, 0x97: 0x2014, 0x98: 0x02DC,
        0x99: 0x2122, 0x9A: 0x0161, 0x9B: 0x203A, 0x9C: 0x0153, 0x9E: 0x017E, 0x9F: 0x0178,
    ]
}
