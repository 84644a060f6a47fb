/// The shape of a PCRE2 pattern, as far as the prefilter plans need it: alternatives of sequences of
/// one-code-point atoms, groups and zero-width assertions, each with its repeat bounds.
///
/// The parser is deliberately narrow. Anything whose shape it does not fully understand (back-references,
/// recursion, conditionals, verbs, `\Q…\E`, extended mode, `\X`, `\R`, quantifier-like braces) makes it return
/// nil, and the pattern is prefiltered as before. It never has to reject invalid patterns: they do not compile.
struct PatternStructure {
    /// One code point matched by a class, escape or literal, with the options in force where it stands.
    struct Atom: Hashable {
        /// The atom as written (`[a4@]`, `\p{Cyrillic}`, `é`, `.`).
        var source: String
        var options: PatternOptions
    }

    struct Element {
        enum Kind {
            case atom(Atom)
            case group([[Element]])
            /// `\b`, `^`, lookarounds and the like: they consume nothing.
            case assertion
        }

        var kind: Kind
        var minimum: Int
        /// nil when unbounded.
        var maximum: Int?
    }

    var alternatives: [[Element]]

    init?(source: String, options: PatternOptions) {
        guard !options.contains(.extended) else { return nil }
        var parser = Parser(scalars: Array(source.unicodeScalars))
        guard let alternatives = parser.alternatives(options: options), parser.index == parser.scalars.count else {
            return nil
        }
        self.alternatives = alternatives
    }

    private struct Parser {
        let scalars: [Unicode.Scalar]
        var index = 0

        init(scalars: [Unicode.Scalar]) { self.scalars = scalars }

        private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
            index + offset < scalars.count ? scalars[index + offset] : nil
        }

        /// Alternatives up to the `)` closing the current group (not consumed) or the end.
        mutating func alternatives(options initial: PatternOptions) -> [[Element]]? {
            var options = initial
            var alternatives: [[Element]] = [[]]
            while let scalar = peek(), scalar != ")" {
                if scalar == "|" {
                    index += 1
                    alternatives.append([])
                    continue
                }
                switch element(options: &options) {
                case .element(let element): alternatives[alternatives.count - 1].append(element)
                case .nothing: continue
                case .unsupported: return nil
                }
            }
            return alternatives
        }

        private enum Parsed {
            case element(Element)
            /// An option setting or a comment.
            case nothing
            /// Beyond this parser.
            case unsupported
        }

        private mutating func element(options: inout PatternOptions) -> Parsed {
            let start = index
            let scalar = scalars[index]
            var kind: Element.Kind
            switch scalar {
            case "(":
                switch group(options: &options) {
                case .element(let group): kind = group.kind
                case .nothing: return .nothing
                case .unsupported: return .unsupported
                }
            case "[":
                guard skipClass() else { return .unsupported }
                kind = .atom(Atom(source: text(from: start), options: options))
            case "\\":
                guard let escaped = escape() else { return .unsupported }
                kind = escaped ? .atom(Atom(source: text(from: start), options: options)) : .assertion
            case "^", "$":
                index += 1
                kind = .assertion
            case ".":
                index += 1
                kind = .atom(Atom(source: ".", options: options))
            case "*", "+", "?", "{", "]", "}":
                return .unsupported
            default:
                index += 1
                kind = .atom(Atom(source: text(from: start), options: options))
            }
            guard let (minimum, maximum) = quantifier() else { return .unsupported }
            return .element(Element(kind: kind, minimum: minimum, maximum: maximum))
        }

        private func text(from start: Int) -> String {
            var text = ""
            text.unicodeScalars.append(contentsOf: scalars[start..<index])
            return text
        }

        /// `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}` (with a lazy or possessive suffix), or (1, 1) when none follows.
        private mutating func quantifier() -> (Int, Int?)? {
            var bounds: (Int, Int?)
            switch peek() {
            case "*":
                bounds = (0, nil)
                index += 1
            case "+":
                bounds = (1, nil)
                index += 1
            case "?":
                bounds = (0, 1)
                index += 1
            case "{":
                index += 1
                guard let lower = number() else { return nil }
                if peek() == "}" {
                    bounds = (lower, lower)
                } else if peek() == "," {
                    index += 1
                    if peek() == "}" {
                        bounds = (lower, nil)
                    } else {
                        guard let upper = number(), upper >= lower, peek() == "}" else { return nil }
                        bounds = (lower, upper)
                    }
                } else {
                    return nil
                }
                index += 1
            default:
                return (1, 1)
            }
            if peek() == "?" || peek() == "+" { index += 1 }
            if let next = peek(), "*+?{".unicodeScalars.contains(next) { return nil }
            return bounds
        }

        private mutating func number() -> Int? {
            var value = 0
            var digits = 0
            while let scalar = peek(), scalar.isASCII, scalar.properties.numericType == .decimal, digits < 6 {
                value = value * 10 + Int(scalar.value - 0x30)
                digits += 1
                index += 1
            }
            return digits > 0 ? value : nil
        }

        /// Skips a bracket class; false when it does not close.
        private mutating func skipClass() -> Bool {
            index += 1
            if peek() == "^" { index += 1 }
            if peek() == "]" { index += 1 }
            while let scalar = peek() {
                switch scalar {
                case "]":
                    index += 1
                    return true
                case "\\":
                    guard let next = peek(1), !"QEcx0123456789".unicodeScalars.contains(next) || next == "x" else {
                        return false
                    }
                    index += 2
                    if next == "x" || next == "p" || next == "P" || next == "o", peek() == "{" {
                        while let inner = peek(), inner != "}" { index += 1 }
                        index += 1
                    }
                case "[" where peek(1) == ":" || peek(1) == "." || peek(1) == "=":
                    let closing = peek(1)!
                    index += 2
                    while let inner = peek(), !(inner == closing && peek(1) == "]") { index += 1 }
                    index += 2
                default:
                    index += 1
                }
            }
            return false
        }

        /// Skips an escape: true for one that matches a code point, false for an assertion, nil otherwise.
        private mutating func escape() -> Bool? {
            guard let next = peek(1) else { return nil }
            index += 2
            switch next {
            case "d", "D", "w", "W", "s", "S", "h", "H", "v", "V", "a", "e", "f", "n", "r", "t":
                return true
            case "N":
                return peek() == "{" ? nil : true
            case "p", "P":
                if peek() == "{" {
                    while let scalar = peek(), scalar != "}" { index += 1 }
                    guard peek() == "}" else { return nil }
                    index += 1
                } else {
                    guard peek() != nil else { return nil }
                    index += 1
                }
                return true
            case "x", "o":
                if peek() == "{" {
                    while let scalar = peek(), scalar != "}" { index += 1 }
                    guard peek() == "}" else { return nil }
                    index += 1
                } else if next == "x" {
                    var digits = 0
                    while digits < 2, let scalar = peek(), scalar.properties.isASCIIHexDigit {
                        index += 1
                        digits += 1
                    }
                } else {
                    return nil
                }
                return true
            case "b", "B", "A", "z", "Z", "G", "K":
                return false
            default:
                // Escaped punctuation or a non-ASCII character stands for itself; other letters and digits
                // (back-references, \g, \k, \X, \R, \Q, \c…) are beyond this parser.
                if next.isASCII, next.properties.isAlphabetic || next.properties.numericType != nil { return nil }
                return true
            }
        }

        /// A group, lookaround or option setting at `(` (the element's bounds are filled in by the caller).
        private mutating func group(options: inout PatternOptions) -> Parsed {
            index += 1
            var inner = options
            var isAssertion = false
            if peek() == "*" { return .unsupported }
            if peek() == "?" {
                index += 1
                switch peek() {
                case ":", "|", ">":
                    index += 1
                case "=", "!":
                    index += 1
                    isAssertion = true
                case "<" where peek(1) == "=" || peek(1) == "!":
                    index += 2
                    isAssertion = true
                case "<", "'", "P":
                    if peek() == "P" {
                        guard peek(1) == "<" else { return .unsupported }
                        index += 1
                    }
                    let closing: Unicode.Scalar = peek() == "'" ? "'" : ">"
                    index += 1
                    while let scalar = peek(), scalar != closing {
                        guard scalar.properties.isAlphabetic || scalar == "_" || scalar.properties.numericType != nil
                        else { return .unsupported }
                        index += 1
                    }
                    guard peek() == closing else { return .unsupported }
                    index += 1
                case "#":
                    while let scalar = peek(), scalar != ")" { index += 1 }
                    guard peek() == ")" else { return .unsupported }
                    index += 1
                    return .nothing
                default:
                    guard let (changed, isSetting) = optionLetters(from: options) else { return .unsupported }
                    if isSetting {
                        options = changed
                        return .nothing
                    }
                    inner = changed
                }
            }
            guard let branches = alternatives(options: inner), peek() == ")" else { return .unsupported }
            index += 1
            return .element(Element(kind: isAssertion ? .assertion : .group(branches), minimum: 1, maximum: 1))
        }

        /// Option letters after `(?`, through the `)` (a setting) or `:` (a group with options).
        private mutating func optionLetters(from options: PatternOptions) -> (PatternOptions, Bool)? {
            var options = options
            var negate = false
            while let scalar = peek() {
                index += 1
                switch scalar {
                case ")": return (options, true)
                case ":": return (options, false)
                case "-": negate = true
                case "^": options.subtract([.caseless, .multiline, .dotAll, .noAutoCapture, .ungreedy])
                case "i", "m", "s", "n", "U":
                    let option = PatternOptions.letters.first { $0.0 == Character(scalar) }!.1
                    if negate { options.remove(option) } else { options.insert(option) }
                case "J":
                    continue
                default:
                    // `x`, `xx` and anything newer change how the rest reads: leave the pattern alone.
                    return nil
                }
            }
            return nil
        }
    }
}
