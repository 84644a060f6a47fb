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

        func unit(_ ascii: String) -> String {
            ascii.isEmpty ? nonASCIIUnit : "(?:[\(ascii)]|\(nonASCIIUnit))"
        }

        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case "\\":
                guard index + 1 < scalars.count else { return nil }
                let next = scalars[index + 1]
                index += 2
                switch next {
                case "w": output += unit("0-9A-Za-z_")
                case "d": output += unit("0-9")
                case "s": output += unit(#"\t\n\x0B\f\r "#)
                case "h": output += unit(#"\t "#)
                case "v": output += unit(#"\n\x0B\f\r"#)
                case "W": output += "(?:[^0-9A-Za-z_\\x80-\\xFF]|\(nonASCIIUnit))"
                case "D": output += "(?:[^0-9\\x80-\\xFF]|\(nonASCIIUnit))"
                case "S": output += "(?:[^\\t\\n\\x0B\\f\\r \\x80-\\xFF]|\(nonASCIIUnit))"
                case "b", "B": break
                case "p", "P":
                    // A Unicode property: any one code point.
                    if index < scalars.count, scalars[index] == "{" {
                        while index < scalars.count, scalars[index] != "}" { index += 1 }
                        index += 1
                    } else {
                        index += 1
                    }
                    output += anyUnit
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
                guard let (rewritten, end) = byteClass(scalars, from: index) else { return nil }
                output += rewritten
                index = end
            case ".":
                output += dotAll ? anyUnit : "(?:[^\\n\\x80-\\xFF]|\(nonASCIIUnit))"
                index += 1
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
                if scalar.isASCII {
                    output.unicodeScalars.append(scalar)
                } else {
                    if caseless, scalar.properties.changesWhenCaseMapped { return nil }
                    output += "(?:" + String(scalar).utf8.map { String(format: "\\x%02X", $0) }.joined() + ")"
                }
                index += 1
            }
        }
        return output
    }

    static let nonASCIIUnit = #"[\x80-\xFF]{2,4}"#
    static let anyUnit = #"(?:[\x00-\x7F]|[\x80-\xFF]{2,4})"#

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

    /// A bracket class starting at `index`: its byte-mode superset and the index after its `]`.
    static func byteClass(_ scalars: [Unicode.Scalar], from start: Int) -> (String, Int)? {
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
                let body: String
                if anything {
                    body = anyUnit
                } else if negated {
                    body = "(?:[^\(ascii)\\x80-\\xFF]|\(nonASCIIUnit))"
                } else if nonASCII {
                    body = ascii.isEmpty ? nonASCIIUnit : "(?:[\(ascii)]|\(nonASCIIUnit))"
                } else {
                    body = "[\(ascii)]"
                }
                return (body, index)
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
