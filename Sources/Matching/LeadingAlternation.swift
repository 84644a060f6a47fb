/// A pattern that starts with a choice of words, `\b(?:win|get\s+paid)\s+…`, split into one pattern per
/// alternative for finding its first match: `\bwin\s+…` and `\bget\s+paid\s+…`.
///
/// Before it tries a start, PCRE2 skips ahead to a byte that can begin a match. With one possible first
/// letter (in either case) it skips with vector instructions; with several (`w`, `g`, `W`, `G`) it tests every
/// byte against a table, about 0.85 ns a byte here: 0.6–0.8 µs to confirm one such rule on a 700-byte post,
/// where its two alternatives take 0.1–0.2 µs each.
///
/// The answer is the same. The whole pattern matches at a start exactly when one of the split patterns does,
/// so its leftmost match starts where the earliest split pattern's does; at that start PCRE2 tries the
/// alternatives in order, each with all its backtracking, before it gives up on the start, so it returns what
/// the first split pattern matching there returns. That holds only because nothing before the group can
/// backtrack (the prefix is `\b` or nothing), the group itself is not repeated and not atomic, no alternative
/// changes options for what follows it, and `\K` cannot move a reported start away from the attempt's start.
/// Back-references, recursion and anything else `PatternStructure` does not understand keep a pattern whole.
enum LeadingAlternation {
    /// More separate searches than this cost more than the byte table does.
    static let maximumAlternatives = 6

    /// The split patterns' sources, or nil when `source` does not have the shape this needs.
    static func split(_ source: String, options: PatternOptions) -> [String]? {
        guard !options.contains(.extended), !source.contains("\\K"), !source.contains("(?#") else { return nil }
        let scalars = Array(source.unicodeScalars)
        if let topLevel = branches(of: scalars, from: 0, insideGroup: false), topLevel.branches.count >= 2 {
            return splitBranches(topLevel.branches, source: source, options: options)
        }
        var index = 0
        var prefix: [Unicode.Scalar] = []
        if scalars.starts(with: ["\\", "b"]) {
            prefix = ["\\", "b"]
            index = 2
        }
        if scalars[index...].first == "[" {
            return splitClass(scalars, at: index, prefix: prefix, source: source, options: options)
        }
        guard scalars[index...].starts(with: ["(", "?", ":"]) else { return nil }
        guard let group = branches(of: scalars, from: index + 3, insideGroup: true), group.branches.count >= 2 else {
            return nil
        }
        let alternatives = group.branches
        let rest = scalars[group.end...]
        // A repeated group (`(?:a|b)+`) is a choice on every round, not once.
        if let next = rest.first, "*+?{".unicodeScalars.contains(next) { return nil }
        for alternative in alternatives {
            guard startsWithRequiredLetter(alternative), !setsOptions(alternative) else { return nil }
        }
        return assemble(alternatives, prefix: prefix, rest: rest, source: source, options: options)
    }

    /// A pattern that is itself a choice (`\\bclaim\\s+…|\\b(?:connect|verify)\\s+wallet`): each branch is one
    /// search, or is split in turn, in order, so that at any start the earliest branch that matches still wins.
    /// Each branch must start with a letter or digit (after a `\\b`) or be splittable itself, and none may set
    /// options: at the top level, `(?i)` in one branch reaches into the branches after it.
    private static func splitBranches(_ branches: [[Unicode.Scalar]], source: String, options: PatternOptions) -> [String]? {
        guard PatternStructure(source: source, options: options) != nil else { return nil }
        var sources: [String] = []
        for branch in branches {
            guard !setsOptions(branch) else { return nil }
            var text = String.UnicodeScalarView()
            text.append(contentsOf: branch)
            if let parts = split(String(text), options: options) {
                sources += parts
                continue
            }
            let prefix: [Unicode.Scalar] = branch.starts(with: ["\\", "b"]) ? ["\\", "b"] : []
            let body = Array(branch.dropFirst(prefix.count))
            guard startsWithRequiredLetter(body) else { return nil }
            sources += searches([body], prefix: prefix, rest: [], options: options)
        }
        return sources.count <= maximumAlternatives ? sources : nil
    }

    /// The branches from `start` split at the `|`s outside brackets, and the index after them: after the `)`
    /// closing the group when `insideGroup`, else the end of the pattern. Nil when brackets do not close.
    private static func branches(
        of scalars: [Unicode.Scalar], from start: Int, insideGroup: Bool
    ) -> (branches: [[Unicode.Scalar]], end: Int)? {
        var branches: [[Unicode.Scalar]] = [[]]
        var depth = 0
        var index = start
        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case "\\":
                guard index + 1 < scalars.count else { return nil }
                branches[branches.count - 1] += scalars[index...(index + 1)]
                index += 2
                continue
            case "[":
                guard let end = classEnd(scalars, from: index) else { return nil }
                branches[branches.count - 1] += scalars[index...end]
                index = end + 1
                continue
            case "(":
                depth += 1
            case ")":
                if depth == 0 { return insideGroup ? (branches, index + 1) : nil }
                depth -= 1
            case "|" where depth == 0:
                branches.append([])
                index += 1
                continue
            default:
                break
            }
            branches[branches.count - 1].append(scalar)
            index += 1
        }
        return insideGroup || depth != 0 ? nil : (branches, index)
    }

    /// The split sources of `prefix`, each alternative and `rest`, or nil when the pattern is beyond what
    /// splitting may touch or would take too many searches.
    private static func assemble(
        _ alternatives: [[Unicode.Scalar]], prefix: [Unicode.Scalar], rest: ArraySlice<Unicode.Scalar>, source: String,
        options: PatternOptions
    ) -> [String]? {
        // Back-references, recursion, conditionals and verbs would all read the groups' numbers or the match
        // so far differently once split.
        guard PatternStructure(source: source, options: options) != nil else { return nil }
        let sources = searches(alternatives, prefix: prefix, rest: rest, options: options)
        return sources.count <= maximumAlternatives ? sources : nil
    }

    /// One source per search: `prefix`, an alternative's start as `firstLetters` splits it, and `rest`.
    private static func searches(
        _ alternatives: [[Unicode.Scalar]], prefix: [Unicode.Scalar], rest: ArraySlice<Unicode.Scalar>,
        options: PatternOptions
    ) -> [String] {
        alternatives.flatMap { alternative in firstLetters(of: alternative, options: options) }.map { start in
            var split = String.UnicodeScalarView()
            split.append(contentsOf: prefix)
            split.append(contentsOf: start)
            split.append(contentsOf: rest)
            return String(split)
        }
    }

    /// A pattern starting with a class of single characters (`[s5$]l[o0]ts`, as leetspeak rules are written) is
    /// a choice of one character: one search per character (`sl[o0]ts`, `5l[o0]ts`, `\$l[o0]ts`). The
    /// characters exclude each other, so at any start at most one of the searches matches. Only plain ASCII
    /// members: no ranges, negation, escapes standing for sets, or POSIX classes.
    private static func splitClass(
        _ scalars: [Unicode.Scalar], at start: Int, prefix: [Unicode.Scalar], source: String, options: PatternOptions
    ) -> [String]? {
        guard let end = classEnd(scalars, from: start) else { return nil }
        var members: [Unicode.Scalar] = []
        var index = start + 1
        while index < end {
            var member = scalars[index]
            if member == "\\" {
                // An escaped punctuation character stands for itself; an escaped letter or digit is a set or a code.
                member = scalars[index + 1]
                guard member.isASCII, !isLetterOrDigit(member) else { return nil }
                index += 2
            } else {
                guard member.isASCII, member != "^" || index > start + 1, member != "[" else { return nil }
                // `a-z` is a range; a `-` first or last stands for itself.
                if member == "-", index != start + 1, index != end - 1 { return nil }
                index += 1
            }
            guard (0x21...0x7E).contains(member.value) else { return nil }
            // Caselessly, `s` and `S` are one member.
            let key = options.contains(.caseless) ? Unicode.Scalar(UInt8(ascii: member) | (member.properties.isAlphabetic ? 0x20 : 0)) : member
            if !members.contains(key) { members.append(key) }
        }
        guard members.count >= 2 else { return nil }
        let rest = scalars[(end + 1)...]
        if let next = rest.first, "*+?{".unicodeScalars.contains(next) { return nil }
        let alternatives = members.map { member -> [Unicode.Scalar] in
            isLetterOrDigit(member) ? [member] : ["\\", member]
        }
        return assemble(alternatives, prefix: prefix, rest: rest, source: source, options: options)
    }

    /// Whether `alternative` starts with an ASCII letter or digit it cannot do without (not `a?`, `a*`, `a{0,2}`):
    /// otherwise PCRE2 has no single first letter to skip to, and splitting buys nothing.
    private static func startsWithRequiredLetter(_ alternative: [Unicode.Scalar]) -> Bool {
        guard let first = alternative.first, first.isASCII, isLetterOrDigit(first) else { return false }
        return alternative.count < 2 || !"*?{".unicodeScalars.contains(alternative[1])
    }

    private static func isLetterOrDigit(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    /// The alternative as one or two patterns, each with a first letter PCRE2 can skip to quickly.
    ///
    /// Caselessly, `k` also matches KELVIN SIGN (U+212A) and `s` LONG S (U+017F): three first characters of
    /// different lengths, which PCRE2 again finds with its byte table. Such an alternative becomes one pattern
    /// for the ASCII letter in either case and one for the other sign; at any position at most one of them can
    /// match, and together they match what the alternative does. A repeated first letter (`s+`) could mix them,
    /// so it stays as it is.
    private static func firstLetters(of alternative: [Unicode.Scalar], options: PatternOptions) -> [[Unicode.Scalar]] {
        guard options.contains(.caseless), let first = alternative.first else { return [alternative] }
        let sign: String
        switch first {
        case "k", "K": sign = #"\x{212A}"#
        case "s", "S": sign = #"\x{17F}"#
        default: return [alternative]
        }
        if alternative.count > 1, "*+?{".unicodeScalars.contains(alternative[1]) { return [alternative] }
        let lower = Unicode.Scalar(UInt8(ascii: first) | 0x20)
        let upper = Unicode.Scalar(UInt8(ascii: first) & ~0x20)
        let ascii = Array("(?-i:[\(lower)\(upper)])".unicodeScalars) + alternative.dropFirst()
        let other = Array("(?-i:\(sign))".unicodeScalars) + alternative.dropFirst()
        return [ascii, other]
    }

    /// The index of the `]` closing the class that opens at `start`, skipping POSIX classes (`[:alpha:]`),
    /// escapes and a `]` that comes first (a literal one).
    private static func classEnd(_ scalars: [Unicode.Scalar], from start: Int) -> Int? {
        var index = start + 1
        if index < scalars.count, scalars[index] == "^" { index += 1 }
        if index < scalars.count, scalars[index] == "]" { index += 1 }
        while index < scalars.count {
            switch scalars[index] {
            case "\\":
                index += 2
            case "[" where index + 1 < scalars.count && ":.=".unicodeScalars.contains(scalars[index + 1]):
                let kind = scalars[index + 1]
                index += 2
                while index + 1 < scalars.count, !(scalars[index] == kind && scalars[index + 1] == "]") { index += 1 }
                guard index + 1 < scalars.count else { return nil }
                index += 2
            case "]":
                return index
            default:
                index += 1
            }
        }
        return nil
    }

    /// Whether `alternative` has a group opening other than a plain, atomic or lookaround one: an option
    /// setting such as `(?i)` there would reach past the alternative once it is split out.
    private static func setsOptions(_ alternative: [Unicode.Scalar]) -> Bool {
        var index = 0
        while index + 1 < alternative.count {
            if alternative[index] == "\\" {
                index += 2
                continue
            }
            if alternative[index] == "[", let end = classEnd(alternative, from: index) {
                index = end + 1
                continue
            }
            if alternative[index] == "(", alternative[index + 1] == "?" {
                let next = index + 2 < alternative.count ? alternative[index + 2] : " "
                let after = index + 3 < alternative.count ? alternative[index + 3] : " "
                switch next {
                case ":", "=", "!", ">": break
                case "<" where after == "=" || after == "!": break
                default: return true
                }
            }
            index += 1
        }
        return false
    }
}
