/// Finds `http://` and `https://` URLs written as plain text.
enum URLScanner {
    static func urls(in text: String) -> [String] {
        var text = text
        return text.withUTF8 { urls(in: $0, excluding: []) }
    }

    /// URLs in `bytes` whose first byte is not inside one of `excluded`.
    static func urls(in bytes: UnsafeBufferPointer<UInt8>, excluding excluded: [Range<Int>]) -> [String] {
        var found: [String] = []
        var index = 0
        while index + 7 < bytes.count {
            guard bytes[index] | 0x20 == UInt8(ascii: "h"), let afterScheme = schemeEnd(bytes, at: index) else {
                index += 1
                continue
            }
            var end = afterScheme
            while end < bytes.count, let length = urlCharacterLength(bytes, at: end) { end += length }
            end = trimTrailingPunctuation(bytes, start: afterScheme, end: end)
            if end > afterScheme, !excluded.contains(where: { $0.contains(index) }) {
                let url = String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<end]), as: UTF8.self)
                if !found.contains(url) { found.append(url) }
            }
            index = max(end, index + 1)
        }
        return found
    }

    /// The index after `http://` or `https://` (any letter case) at `index`.
    private static func schemeEnd(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int? {
        if index > 0, isWordByte(bytes[index - 1]) { return nil }
        let lower = { (offset: Int) -> UInt8 in index + offset < bytes.count ? bytes[index + offset] | 0x20 : 0 }
        guard lower(1) == UInt8(ascii: "t"), lower(2) == UInt8(ascii: "t"), lower(3) == UInt8(ascii: "p") else {
            return nil
        }
        var position = index + 4
        if lower(4) == UInt8(ascii: "s") { position += 1 }
        guard position + 3 <= bytes.count, bytes[position] == UInt8(ascii: ":"),
            bytes[position + 1] == UInt8(ascii: "/"), bytes[position + 2] == UInt8(ascii: "/")
        else { return nil }
        return position + 3
    }

    /// Byte length of the URL character at `index`, or nil when it ends the URL.
    private static func urlCharacterLength(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int? {
        let byte = bytes[index]
        if byte < 0x80 {
            switch byte {
            case 0...0x20, 0x7F, UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\""), UInt8(ascii: "`"),
                UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "|"), UInt8(ascii: "\\"), UInt8(ascii: "^"):
                return nil
            default:
                return 1
            }
        }
        var length = 1
        var scalar = UInt32(byte)
        if byte >= 0xF0 {
            length = 4
            scalar &= 0x07
        } else if byte >= 0xE0 {
            length = 3
            scalar &= 0x0F
        } else {
            length = 2
            scalar &= 0x1F
        }
        guard index + length <= bytes.count else { return nil }
        for offset in 1..<length { scalar = scalar << 6 | UInt32(bytes[index + offset] & 0x3F) }
        switch scalar {
        case 0xA0, 0x1680, 0x2000...0x200B, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000...0x303F, 0xFF01...0xFF0F,
            0xFF1A...0xFF20, 0xFF3B...0xFF40, 0xFF5B...0xFF65, 0xFEFF:
            return nil
        default:
            return length
        }
    }

    private static func trimTrailingPunctuation(_ bytes: UnsafeBufferPointer<UInt8>, start: Int, end: Int) -> Int {
        var end = end
        while end > start {
            let last = bytes[end - 1]
            switch last {
            case UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: ":"), UInt8(ascii: "!"),
                UInt8(ascii: "?"), UInt8(ascii: "'"), UInt8(ascii: "*"):
                end -= 1
            case UInt8(ascii: ")"), UInt8(ascii: "]"):
                let open = last == UInt8(ascii: ")") ? UInt8(ascii: "(") : UInt8(ascii: "[")
                let body = bytes[start..<(end - 1)]
                if body.filter({ $0 == open }).count < body.filter({ $0 == last }).count + 1 {
                    end -= 1
                } else {
                    return end
                }
            default:
                return end
            }
        }
        return end
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
    }
}
