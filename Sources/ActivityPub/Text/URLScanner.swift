import Foundation

/// Finds `http://` and `https://` URLs written as plain text.
enum URLScanner {
    static func urls(in text: String) -> [String] {
        var text = text
        return text.withUTF8 { urls(in: $0, excluding: []) }
    }

    /// URLs in `bytes` whose first byte is not inside one of `excluded`, each once, in order of appearance.
    /// `excluded` is sorted and its ranges do not overlap (anchors, in the order they were written).
    ///
    /// Looks for the `://` after a scheme rather than at every `h`: colons are rare in text, and `memchr` finds
    /// them many bytes at a time. Linear in the length of `bytes` plus the number of excluded ranges: no byte is
    /// read more than a few times, whatever the text.
    static func urls(in bytes: UnsafeBufferPointer<UInt8>, excluding excluded: [Range<Int>]) -> [String] {
        var found: [String] = []
        var seen: Set<String> = []
        var nextExcluded = 0
        var colon = nextColon(in: bytes, from: 4)
        while let position = colon {
            guard let start = schemeStart(bytes, colon: position) else {
                colon = nextColon(in: bytes, from: position + 1)
                continue
            }
            let afterScheme = position + 3
            var end = afterScheme
            while end < bytes.count, let length = urlCharacterLength(bytes, at: end) { end += length }
            end = trimTrailingPunctuation(bytes, start: afterScheme, end: end)
            while nextExcluded < excluded.count, excluded[nextExcluded].upperBound <= start { nextExcluded += 1 }
            let isExcluded = nextExcluded < excluded.count && excluded[nextExcluded].contains(start)
            if end > afterScheme, !isExcluded {
                let url = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
                if seen.insert(url).inserted { found.append(url) }
            }
            colon = nextColon(in: bytes, from: max(end, position + 1))
        }
        return found
    }

    /// The index of the first `:` at or after `start`.
    private static func nextColon(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard let base = bytes.baseAddress, start < bytes.count,
            let found = memchr(base + start, Int32(UInt8(ascii: ":")), bytes.count - start)
        else { return nil }
        return UnsafeRawPointer(found) - UnsafeRawPointer(base)
    }

    /// The start of `http://` or `https://` (any letter case) whose colon is at `colon`, when it does not
    /// continue a word.
    private static func schemeStart(_ bytes: UnsafeBufferPointer<UInt8>, colon: Int) -> Int? {
        guard colon + 2 < bytes.count, bytes[colon + 1] == UInt8(ascii: "/"), bytes[colon + 2] == UInt8(ascii: "/"),
            colon >= 4
        else { return nil }
        var start = colon - 4
        if bytes[colon - 1] | 0x20 == UInt8(ascii: "s") {
            guard colon >= 5 else { return nil }
            start = colon - 5
        }
        let lower = { (offset: Int) -> UInt8 in bytes[start + offset] | 0x20 }
        guard lower(0) == UInt8(ascii: "h"), lower(1) == UInt8(ascii: "t"), lower(2) == UInt8(ascii: "t"),
            lower(3) == UInt8(ascii: "p")
        else { return nil }
        if start > 0, isWordByte(bytes[start - 1]) { return nil }
        return start
    }

    /// Byte length of the URL character at `index`, or nil when it ends the URL.
    static func urlCharacterLength(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int? {
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

    /// The end of the URL in `start..<end` without trailing punctuation: `.`, `,`, `;`, `:`, `!`, `?`, `'`,
    /// `*`, and a `)` or `]` that closes nothing in the URL (so `https://en.wikipedia.org/wiki/Swift_(language)`
    /// keeps its own). Counts the brackets once, then walks back over the punctuation: one pass.
    static func trimTrailingPunctuation(_ bytes: UnsafeBufferPointer<UInt8>, start: Int, end: Int) -> Int {
        var unclosedParentheses = 0
        var unclosedBrackets = 0
        for byte in bytes[start..<end] {
            switch byte {
            case UInt8(ascii: "("): unclosedParentheses += 1
            case UInt8(ascii: ")"): unclosedParentheses -= 1
            case UInt8(ascii: "["): unclosedBrackets += 1
            case UInt8(ascii: "]"): unclosedBrackets -= 1
            default: break
            }
        }
        var end = end
        while end > start {
            switch bytes[end - 1] {
            case UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: ":"), UInt8(ascii: "!"),
                UInt8(ascii: "?"), UInt8(ascii: "'"), UInt8(ascii: "*"):
                end -= 1
            case UInt8(ascii: ")") where unclosedParentheses < 0:
                unclosedParentheses += 1
                end -= 1
            case UInt8(ascii: "]") where unclosedBrackets < 0:
                unclosedBrackets += 1
                end -= 1
            default:
                return end
            }
        }
        return end
    }

    static func isWordByte(_ byte: UInt8) -> Bool {
        (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
    }
}
