import Foundation

extension PrefilterRewrite {
    /// Rewrites a PCRE2 (UTF + UCP) pattern into a byte-oriented one that Hyperscan runs without its UTF-8 mode,
    /// matching a superset of what PCRE2 matches on the same UTF-8 bytes.
    ///
    /// Hyperscan's UTF-8 mode turns classes and `.` into multi-byte automata that scan several times slower and
    /// compile slower. In bytes, every non-ASCII code point is 2–4 bytes in `[\x80-\xFF]`, so an atom that may
    /// match a non-ASCII code point becomes `(?:ASCII part|[\x80-\xFF]{2,4})`: one repetition still stands for one
    /// code point, so quantifiers keep their meaning. Non-ASCII literals become their UTF-8 bytes. Returns nil
    /// when the rewrite cannot promise a superset (case-insensitive non-ASCII letters, `\Q…\E`, extended mode,
    /// inline dot-all or extended options, non-ASCII code point escapes, `\X`…); such patterns use UTF-8 mode.
    static func byteSuperset(of source: String, options: PatternOptions) -> String? {
        if options.contains(.extended) || source.contains(#"\Q"#) { return nil }
        let scalars = Array(source.unicodeScalars)
        let caseless = options.contains(.caseless) || source.contains("(?i") || source.range(of: #"\(\?[a-z]*i"#, options: .regularExpression) != nil
        let dotAll = options.contains(.dotAll)
        var output = ""
        var index = 0

        // An atom that may match a non-ASCII code point is a byte class; its quantifier is rewritten to count
        // the 1–4 bytes each code point takes.
        func wide(_ byteClass: String) {
            let (quantifier, length) = widenedQuantifier(scalars, at: index)
            output += byteClass + quantifier
            index += length
        }

        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case "\\":
                guard index + 1 < scalars.count else { return nil }
                let next = scalars[index + 1]
                index += 2
                switch next {
                case "w": wide(#"[0-9A-Za-z_\x80-\xFF]"#)
                case "d": wide(#"[0-9\x80-\xFF]"#)
                case "s": wide(#"[\t\n\x0B\f\r \x80-\xFF]"#)
                case "h": wide(#"[\t \x80-\xFF]"#)
                case "v": wide(#"[\n\x0B\f\r\x80-\xFF]"#)
                case "W": wide("[^0-9A-Za-z_]")
                case "D": wide("[^0-9]")
                case "S": wide(#"[^\t\n\x0B\f\r ]"#)
                case "b", "B": break
                case "p", "P":
                    var name = ""
                    if index < scalars.count, scalars[index] == "{" {
                        index += 1
                        while index < scalars.count, scalars[index] != "}" {
                            name.unicodeScalars.append(scalars[index])
                            index += 1
                        }
                        index += 1
                    } else if index < scalars.count {
                        name.unicodeScalars.append(scalars[index])
                        index += 1
                    }
                    wide(next == "p" ? propertyClass(name) : anyByte)
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
                guard let (rewritten, end, isWide) = byteClass(scalars, from: index, caseless: caseless) else { return nil }
                index = end
                if isWide { wide(rewritten) } else { output += rewritten }
            case ".":
                index += 1
                wide(dotAll ? anyByte : #"[^\n]"#)
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

    static let anyByte = #"[\x00-\xFF]"#

    /// A byte class covering every code point with Unicode property `name`: its ASCII members, plus the bytes of
    /// non-ASCII code points (scripts without ASCII letters get only those).
    static func propertyClass(_ name: String) -> String {
        let key = name.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "_", with: "").lowercased()
        switch key {
        case "l", "l&", "letter", "latin", "latn", "lu", "ll", "lc", "alpha", "alphabetic", "xan", "xwd":
            return key == "lu" ? #"[A-Z\x80-\xFF]"# : key == "ll" ? #"[a-z\x80-\xFF]"# : #"[0-9A-Za-z_\x80-\xFF]"#
        case "n", "nd", "number", "digit":
            return #"[0-9\x80-\xFF]"#
        case "cyrillic", "cyrl", "greek", "grek", "han", "hani", "hiragana", "hira", "katakana", "kana", "arabic", "arab",
            "hebrew", "hebr", "thai", "hangul", "hang", "armenian", "armn", "georgian", "geor", "devanagari", "deva",
            "so", "sk", "mn", "me", "emoji", "extendedpictographic", "extpict":
            return #"[\x80-\xFF]"#
        default:
            return anyByte
        }
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
    /// Largest repeat bound a widened quantifier may have before it becomes unbounded (Hyperscan compiles large
    /// bounded repeats slowly; an unbounded repeat is still a superset).
    static let maximumWidenedBound = 200

    /// The quantifier following a widened atom at `index`, rewritten to count bytes (1–4 per code point),
    /// and how many scalars the original took. Lazy and possessive markers are dropped: a prefilter only
    /// asks whether there is a match.
    static func widenedQuantifier(_ scalars: [Unicode.Scalar], at index: Int) -> (String, Int) {
        func bounded(_ low: Int, _ high: Int?) -> String {
            guard let high else { return "{\(low),}" }
            return 4 * high > maximumWidenedBound ? "{\(low),}" : "{\(low),\(4 * high)}"
        }
        var length = 0
        var quantifier = "{1,4}"
        if index < scalars.count {
            switch scalars[index] {
            case "?": (quantifier, length) = ("{0,4}", 1)
            case "*": (quantifier, length) = ("*", 1)
            case "+": (quantifier, length) = ("+", 1)
            case "{":
                var end = index + 1
                var text = ""
                while end < scalars.count, scalars[end] != "}", text.count < 12 {
                    text.unicodeScalars.append(scalars[end])
                    end += 1
                }
                let parts = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                if end < scalars.count, scalars[end] == "}", (1...2).contains(parts.count),
                    let low = Int(parts[0])
                {
                    if parts.count == 1 {
                        (quantifier, length) = (bounded(low, low), end - index + 1)
                    } else if parts[1].isEmpty {
                        (quantifier, length) = (bounded(low, nil), end - index + 1)
                    } else if let high = Int(parts[1]) {
                        (quantifier, length) = (bounded(low, high), end - index + 1)
                    }
                }
            default: break
            }
        }
        if length > 0, index + length < scalars.count, scalars[index + length] == "?" || scalars[index + length] == "+" {
            length += 1
        }
        return (quantifier, length)
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

    /// A bracket class starting at `index`: its byte-mode superset, the index after its `]`, and whether it may
    /// match a non-ASCII code point (then its quantifier must be widened).
    static func byteClass(_ scalars: [Unicode.Scalar], from start: Int, caseless: Bool) -> (String, Int, Bool)? {
        var index = start + 1
        let negated = index < scalars.count && scalars[index] == "^"
        if negated { index += 1 }
        var ascii = ""
        var nonASCII = false
        var anything = false
        var first = true
        var previousLiteral: UInt32?
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "]", !first {
                index += 1
                if caseless, !negated, ascii.range(of: "[kKsS]|[a-zA-Z]-[a-zA-Z]", options: .regularExpression) != nil {
                    // A letter or letter range may include k or s, whose case variants are non-ASCII.
                    nonASCII = true
                }
                if anything { return (anyByte, index, true) }
                // Negated, the class excludes only its ASCII members: every byte of a non-ASCII code point is in.
                if negated { return (ascii.isEmpty ? anyByte : "[^\(ascii)]", index, true) }
                if nonASCII { return ("[\(ascii)\\x80-\\xFF]", index, true) }
                return ("[\(ascii)]", index, false)
            }
            first = false
            if scalar == "[", index + 1 < scalars.count, scalars[index + 1] == ":" {
                // A POSIX class is Unicode-wide under UCP.
                guard let close = (index + 2..<scalars.count).first(where: { scalars[$0] == ":" && $0 + 1 < scalars.count && scalars[$0 + 1] == "]" })
                else { return nil }
                anything = true
                index = close + 2
                previousLiteral = nil
                continue
            }
            var value: UInt32
            var text: String
            if scalar == "\\" {
                guard index + 1 < scalars.count else { return nil }
                let next = scalars[index + 1]
                index += 2
                switch next {
                case "w", "d", "s", "h", "v":
                    ascii += ["w": "0-9A-Za-z_", "d": "0-9", "s": #"\t\n\x0B\f\r "#, "h": #"\t "#, "v": #"\n\x0B\f\r"#][String(next)]!
                    nonASCII = true
                    previousLiteral = nil
                    continue
                case "W", "D", "S", "H", "V", "p", "P":
                    anything = true
                    if next == "p" || next == "P" {
                        if index < scalars.count, scalars[index] == "{" {
                            while index < scalars.count, scalars[index] != "}" { index += 1 }
                        }
                        index += 1
                    }
                    previousLiteral = nil
                    continue
                case "x":
                    guard let (hex, length) = hexEscape(scalars, from: index) else { return nil }
                    value = hex
                    index += length
                    text = hex < 0x80 ? String(format: "\\x%02X", hex) : ""
                case "b": value = 8; text = #"\x08"#
                case "Q", "E", "N", "R", "X": return nil
                default:
                    guard next.isASCII else { return nil }
                    value = next.value
                    text = "\\" + String(next)
                }
            } else {
                value = scalar.value
                text = scalar.isASCII ? String(scalar) : ""
                index += 1
            }
            if scalar == "-", let low = previousLiteral, index < scalars.count, scalars[index] != "]" {
                // Read the range's upper end.
                var upper = scalars[index].value
                var upperText = String(scalars[index])
                if scalars[index] == "\\", index + 1 < scalars.count {
                    if scalars[index + 1] == "x", let (hex, length) = hexEscape(scalars, from: index + 2) {
                        upper = hex
                        upperText = hex < 0x80 ? String(format: "\\x%02X", hex) : ""
                        index += 2 + length
                    } else {
                        upper = scalars[index + 1].value
                        upperText = "\\" + String(scalars[index + 1])
                        index += 2
                    }
                } else {
                    index += 1
                }
                if upper >= 0x80 { nonASCII = true }
                if low < 0x80 {
                    ascii += "-" + (upper < 0x80 ? upperText : #"\x7F"#)
                }
                previousLiteral = nil
                continue
            }
            if value >= 0x80 {
                // Case variants of a non-ASCII letter are non-ASCII too: the non-ASCII unit covers them.
                nonASCII = true
                previousLiteral = value
                continue
            }
            if scalar == "-" || scalar == "[" { text = "\\" + String(scalar) }
            ascii += text
            previousLiteral = value
        }
        return nil
    }
}
