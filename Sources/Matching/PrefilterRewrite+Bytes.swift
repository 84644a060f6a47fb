import Foundation

extension PrefilterRewrite {
    /// Rewrites a PCRE2 (UTF + UCP) pattern that only ever matches ASCII, except for literal non-ASCII text, into
    /// one Hyperscan runs in byte mode (without UTF-8 mode), matching a superset of what PCRE2 matches.
    ///
    /// Byte mode scans and compiles several times faster than UTF-8 mode. Non-ASCII literals become their UTF-8
    /// bytes (with their case variants when matching without case), word boundaries are dropped, and `k`/`s`
    /// without case also accept KELVIN SIGN and LONG S, as UCP does. Atoms that may match a non-ASCII code point
    /// (`\w`, `\d`, `\s`, `.`, negated classes, `\p{…}`, classes with non-ASCII members) return nil: widening
    /// them to bytes was measured slower than UTF-8 mode (`Benchmarks/README.md`), so such patterns use UTF-8 mode.
    static func byteSuperset(of source: String, options: PatternOptions) -> String? {
        if options.contains(.extended) || source.contains(#"\Q"#) { return nil }
        let scalars = Array(source.unicodeScalars)
        let caseless = options.contains(.caseless) || source.contains("(?i") || source.range(of: #"\(\?[a-z]*i"#, options: .regularExpression) != nil
        var output = ""
        var index = 0

        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case "\\":
                guard index + 1 < scalars.count else { return nil }
                let next = scalars[index + 1]
                index += 2
                switch next {
                case "w", "d", "s", "h", "v", "W", "D", "S", "p", "P":
                    return nil
                case "b", "B": break
                case "x":
                    guard let (value, length) = hexEscape(scalars, from: index), value < 0x80 else { return nil }
                    output += String(format: "\\x%02X", value)
                    index += length
                case "Q", "E", "X", "N", "R", "H", "V", "C", "G", "o", "u", "U", "L", "l":
                    return nil
                default:
                    guard next.isASCII else { return nil }
                    output += "\\"
                    output.unicodeScalars.append(next)
                }
            case "[":
                guard let (rewritten, end) = byteClass(scalars, from: index, caseless: caseless) else { return nil }
                index = end
                output += rewritten
            case ".":
                return nil
            case "(":
                // Inline options: case and multi-line are understood; dot-all, extended and others are not.
                if index + 1 < scalars.count, scalars[index + 1] == "?" {
                    var probe = index + 2
                    var letters = ""
                    while probe < scalars.count, scalars[probe].properties.isAlphabetic || scalars[probe] == "-" {
                        letters.unicodeScalars.append(scalars[probe])
                        probe += 1
                    }
                    if probe < scalars.count, scalars[probe] == ")" || scalars[probe] == ":",
                        letters.contains(where: { !"imn-".contains($0) })
                    {
                        return nil
                    }
                }
                output += "("
                index += 1
            default:
                if caseless, let variant = caselessNonASCIIVariant(of: scalar) {
                    // Under UCP, `k` also matches KELVIN SIGN and `s` LATIN SMALL LETTER LONG S.
                    output += "(?:" + String(scalar) + "|" + variant + ")"
                } else if scalar.isASCII {
                    output.unicodeScalars.append(scalar)
                } else {
                    if caseless, scalar.properties.changesWhenCaseMapped {
                        guard let variants = caseVariants(of: scalar) else { return nil }
                        output += "(?:" + variants.map(utf8Escaped).joined(separator: "|") + ")"
                    } else {
                        output += "(?:" + utf8Escaped(scalar) + ")"
                    }
                }
                index += 1
            }
        }
        return output
    }

    static func utf8Escaped(_ scalar: Unicode.Scalar) -> String {
        String(scalar).utf8.map { String(format: "\\x%02X", $0) }.joined()
    }

    /// Every scalar PCRE2 treats as equal to `scalar` when matching without case, for the Latin letters
    /// U+00C0–U+024F whose case pairs are one to one (plus ß and ẞ); nil elsewhere (Greek sigma and similar
    /// sets of three keep the pattern in UTF-8 mode).
    static func caseVariants(of scalar: Unicode.Scalar) -> [Unicode.Scalar]? {
        if scalar == "ß" || scalar == "\u{1E9E}" { return ["ß", "\u{1E9E}"] }
        guard (0xC0...0x24F).contains(scalar.value), scalar.value != 0x17F else { return nil }
        var variants: [Unicode.Scalar] = [scalar]
        for mapping in [scalar.properties.lowercaseMapping, scalar.properties.uppercaseMapping, scalar.properties.titlecaseMapping] {
            let scalars = Array(mapping.unicodeScalars)
            guard scalars.count == 1 else { return nil }
            if !variants.contains(scalars[0]) { variants.append(scalars[0]) }
        }
        return variants
    }

    /// The UTF-8 bytes of the non-ASCII letter that case-folds to this ASCII letter, if there is one.
    static func caselessNonASCIIVariant(of scalar: Unicode.Scalar) -> String? {
        switch scalar {
        case "k", "K": #"\xE2\x84\xAA"#
        case "s", "S": #"\xC5\xBF"#
        default: nil
        }
    }
    /// `\xHH` or `\x{H…}` starting at `index` (just after `\x`): the value and how many scalars it takes.
    static func hexEscape(_ scalars: [Unicode.Scalar], from index: Int) -> (UInt32, Int)? {
        if index < scalars.count, scalars[index] == "{" {
            var end = index + 1
            var digits = ""
            while end < scalars.count, scalars[end] != "}" {
                digits.unicodeScalars.append(scalars[end])
                end += 1
            }
            guard end < scalars.count, let value = UInt32(digits, radix: 16) else { return nil }
            return (value, end - index + 1)
        }
        var digits = ""
        var end = index
        while end < scalars.count, digits.count < 2, scalars[end].properties.isASCIIHexDigit {
            digits.unicodeScalars.append(scalars[end])
            end += 1
        }
        return (UInt32(digits, radix: 16) ?? 0, end - index)
    }

    /// A bracket class starting at `start`: its byte-mode form and the index after its `]`, or nil when the class
    /// may match a non-ASCII code point (negated, shorthand or POSIX members, non-ASCII members, or letters
    /// without case, whose `k` and `s` have non-ASCII variants).
    static func byteClass(_ scalars: [Unicode.Scalar], from start: Int, caseless: Bool) -> (String, Int)? {
        var index = start + 1
        if index < scalars.count, scalars[index] == "^" { return nil }
        var ascii = ""
        var first = true
        var afterLiteral = false
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "]", !first {
                if caseless, ascii.range(of: "[kKsS]|[a-zA-Z]-[a-zA-Z]", options: .regularExpression) != nil { return nil }
                return ("[\(ascii)]", index + 1)
            }
            first = false
            if scalar == "[", index + 1 < scalars.count, scalars[index + 1] == ":" { return nil }
            var text: String
            if scalar == "\\" {
                guard index + 1 < scalars.count else { return nil }
                let next = scalars[index + 1]
                index += 2
                switch next {
                case "w", "d", "s", "h", "v", "W", "D", "S", "H", "V", "p", "P", "Q", "E", "N", "R", "X":
                    return nil
                case "x":
                    guard let (hex, length) = hexEscape(scalars, from: index), hex < 0x80 else { return nil }
                    index += length
                    text = String(format: "\\x%02X", hex)
                case "b": text = #"\x08"#
                default:
                    guard next.isASCII else { return nil }
                    text = "\\" + String(next)
                }
            } else {
                guard scalar.isASCII else { return nil }
                text = String(scalar)
                index += 1
            }
            if scalar == "-", afterLiteral, index < scalars.count, scalars[index] != "]" {
                // A range: its upper end must be ASCII too.
                var upperText = String(scalars[index])
                if scalars[index] == "\\", index + 1 < scalars.count {
                    if scalars[index + 1] == "x" {
                        guard let (hex, length) = hexEscape(scalars, from: index + 2), hex < 0x80 else { return nil }
                        upperText = String(format: "\\x%02X", hex)
                        index += 2 + length
                    } else {
                        upperText = "\\" + String(scalars[index + 1])
                        index += 2
                    }
                } else {
                    guard scalars[index].isASCII else { return nil }
                    index += 1
                }
                ascii += "-" + upperText
                afterLiteral = false
                continue
            }
            if scalar == "-" || scalar == "[" { text = "\\" + String(scalar) }
            ascii += text
            afterLiteral = true
        }
        return nil
    }
}
