/// Rewrites a PCRE2 pattern into one Hyperscan compiles quickly *without* Unicode properties, matching a
/// superset of what PCRE2 (with UCP) matches.
///
/// With UCP, `\w`, `\d`, `\s` and `\b` are Unicode-wide, and Hyperscan's compile time and scan speed suffer
/// badly for them (hundreds of milliseconds per pattern). A prefilter only has to nominate every pattern
/// that *may* match, so each shorthand is widened to its ASCII set plus every non-ASCII character, negated
/// shorthands keep only their ASCII exclusions, and word-boundary assertions are dropped. PCRE2 still decides.
/// Returns nil for patterns the rewrite does not understand (`\Q…\E`, extended mode); those compile with UCP.
enum PrefilterRewrite {
    private static let nonASCII = #"\x{80}-\x{10FFFF}"#
    private static let wordSet = "0-9A-Za-z_" + nonASCII
    private static let digitSet = "0-9" + nonASCII
    private static let spaceSet = #"\t\n\x0B\f\r "# + nonASCII
    private static let anyCharacter = #"[\s\S]"#

    static func superset(of source: String, options: PatternOptions) -> String? {
        if options.contains(.extended) || source.contains("(?x") || source.contains(#"\Q"#) { return nil }
        let scalars = Array(source.unicodeScalars)
        var output = ""
        var index = 0
        var inClass = false
        var classNegated = false
        var classStart = output.startIndex
        var classIsAnyCharacter = false
        var classPosition = 0  // scalars read since `[` (and `^`), for a leading literal `]`

        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\\", index + 1 < scalars.count {
                let next = scalars[index + 1]
                index += 2
                if inClass {
                    classPosition += 1
                    switch next {
                    case "w", "d", "s":
                        if classNegated {
                            classIsAnyCharacter = true
                        } else {
                            output += next == "w" ? wordSet : next == "d" ? digitSet : spaceSet
                        }
                    case "W", "D", "S":
                        classIsAnyCharacter = true
                    default:
                        output += "\\"
                        output.unicodeScalars.append(next)
                    }
                    continue
                }
                switch next {
                case "w": output += "[" + wordSet + "]"
                case "d": output += "[" + digitSet + "]"
                case "s": output += "[" + spaceSet + "]"
                case "W": output += "[^0-9A-Za-z_]"
                case "D": output += "[^0-9]"
                case "S": output += #"[^\t\n\x0B\f\r ]"#
                case "b", "B": break
                default:
                    output += "\\"
                    output.unicodeScalars.append(next)
                }
                continue
            }
            if inClass {
                if scalar == "]", classPosition > 0 {
                    inClass = false
                    if classIsAnyCharacter {
                        output.replaceSubrange(classStart..., with: anyCharacter)
                    } else {
                        output += "]"
                    }
                } else if scalar == "[", index + 1 < scalars.count, scalars[index + 1] == ":" {
                    // A POSIX class is ASCII-only without UCP: widen the whole bracket, and skip to its `:]`.
                    classIsAnyCharacter = true
                    classPosition += 1
                    var end = index + 2
                    while end + 1 < scalars.count, !(scalars[end] == ":" && scalars[end + 1] == "]") { end += 1 }
                    guard end + 1 < scalars.count else { return nil }
                    index = end + 2
                    continue
                } else {
                    output.unicodeScalars.append(scalar)
                    classPosition += 1
                }
                index += 1
                continue
            }
            if scalar == "[" {
                inClass = true
                classIsAnyCharacter = false
                classStart = output.endIndex
                output += "["
                index += 1
                classNegated = index < scalars.count && scalars[index] == "^"
                if classNegated {
                    output += "^"
                    index += 1
                }
                classPosition = 0
                continue
            }
            output.unicodeScalars.append(scalar)
            index += 1
        }
        return inClass ? nil : output
    }

    /// Link prefixes with an optional `www.`, as rules spell them (none is a prefix of another).
    private static let schemePrefixes = [
        #"https?://(?:www\.)?"#, #"https?:\/\/(?:www\.)?"#, #"https://(?:www\.)?"#, #"http://(?:www\.)?"#,
    ]

    /// `source` with a leading `https?://(?:www\.)?` replaced by `(?:www\.|//)`.
    ///
    /// Every link in a post starts with a scheme, and many go on with `www.`: Hyperscan runs the automaton of
    /// every rule that starts this way from each such link, whether or not the rest of the rule can follow (125
    /// link rules cost about 1.5 µs on a post with one `https://www.` link). Any text a rule matches has
    /// `www.` or `//` right before what follows the prefix, so the rewritten expression matches wherever the
    /// rule does (somewhere in the same text), and its scan starts from what is specific to the rule. The prefix
    /// stays with PCRE2, which confirms.
    static func withoutSchemePrefix(_ source: String) -> String {
        for prefix in schemePrefixes where source.hasPrefix(prefix) {
            let rest = source.dropFirst(prefix.count)
            // A quantifier would apply to the prefix's last group; nothing after it leaves nothing to select by.
            guard let next = rest.first, !"?*+{|)".contains(next) else { return source }
            return #"(?:www\.|//)"# + rest
        }
        return source
    }
}
