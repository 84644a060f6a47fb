@testable import Matching
import HerdwatchTestSupport
import Testing

/// A pattern starting with a choice of words is matched one alternative at a time (`LeadingAlternation`);
/// every first match must be the one PCRE2 gives for the whole pattern.
@Suite("Leading alternation: first matches found one alternative at a time")
struct LeadingAlternationTests {
    @Test func aChoiceOfWordsAtTheStartIsSplitWithWhatFollowsIt() throws {
        #expect(
            LeadingAlternation.split(#"\b(?:win|get\s+paid)\s+\d+"#, options: .caseless)
                == [#"\bwin\s+\d+"#, #"\bget\s+paid\s+\d+"#])
        #expect(LeadingAlternation.split("(?:ab|cd)", options: []) == ["ab", "cd"])
        // Nested groups, classes holding `|` and `)`, POSIX classes and escapes stay inside their alternative.
        #expect(
            LeadingAlternation.split(#"(?:a(?:b|c)|d[|)]|e[[:alpha:]|]|f\|g|h\)x)z"#, options: [])
                == ["a(?:b|c)z", "d[|)]z", "e[[:alpha:]|]z", #"f\|gz"#, #"h\)xz"#])
        // Caselessly, k and s also match KELVIN SIGN and LONG S: each gets a search of its own.
        #expect(
            LeadingAlternation.split(#"\b(?:spins|kredyt|loans?)\b"#, options: .caseless)
                == [#"\b(?-i:[sS])pins\b"#, #"\b(?-i:\x{17F})pins\b"#, #"\b(?-i:[kK])redyt\b"#,
                    #"\b(?-i:\x{212A})redyt\b"#, #"\bloans?\b"#])
        #expect(LeadingAlternation.split(#"(?:spins|loans)"#, options: []) == ["spins", "loans"])
        #expect(LeadingAlternation.split(#"(?:s+pam|ham)"#, options: .caseless) == ["s+pam", "ham"])
        // A class of single characters at the start is a choice of one character.
        #expect(
            LeadingAlternation.split(#"[s5$][^a-z0-9]?l[o0]ts"#, options: .caseless)
                == [#"(?-i:[sS])[^a-z0-9]?l[o0]ts"#, #"(?-i:\x{17F})[^a-z0-9]?l[o0]ts"#, #"5[^a-z0-9]?l[o0]ts"#,
                    #"\$[^a-z0-9]?l[o0]ts"#])
        #expect(LeadingAlternation.split(#"\b[aA4@]x"#, options: .caseless) == [#"\bax"#, #"\b4x"#, #"\b\@x"#])
        #expect(LeadingAlternation.split(#"[\.\]-]x"#, options: []) == [#"\.x"#, #"\]x"#, #"\-x"#])
        // A pattern that is itself a choice: each branch in order, split in turn where it can be.
        #expect(
            LeadingAlternation.split(#"\bclaim\s+x|\b(?:connect|sync)\s+wallet\b"#, options: .caseless)
                == [#"\bclaim\s+x"#, #"\bconnect\s+wallet\b"#, #"\b(?-i:[sS])ync\s+wallet\b"#,
                    #"\b(?-i:\x{17F})ync\s+wallet\b"#])
        let pattern = try Pattern(#"\b(?:win|get\s+paid)\s+\d+"#, options: .caseless)
        #expect(pattern.alternatives.map(\.source) == [#"\bwin\s+\d+"#, #"\bget\s+paid\s+\d+"#])
        #expect(pattern.alternatives.allSatisfy { $0.alternatives.isEmpty })
    }

    @Test(arguments: [
        #"(?:a|b)+c"#,  // repeated: a choice on every round
        #"(?:a|b){2}c"#,
        #"(?>ab|a)c"#,  // atomic: no second alternative after the first matched
        #"a?(?:b|c)"#,  // a prefix that can backtrack
        #"x(?:b|c)"#,
        #"(?:a(?i)b|c)d"#,  // an option setting would reach past its alternative
        #"(?:a|b)\Kc"#,  // \K moves the reported start
        #"(?:(a)|b)\1"#,  // back-references read group numbers
        #"(?:[ab]c|d)"#,  // an alternative not starting with a letter or digit
        #"(?:a?b|c)"#,  // a first letter it can do without
        #"(?:a*b|c)"#,
        #"(?:ab|)c"#,  // an empty alternative
        #"(?:a|b|c|d|e|f|g)"#,  // more alternatives than searching separately pays for
        #"(?:sa|sb|sc|d)"#,  // caselessly, seven searches
        #"(?:a|b"#,  // unclosed
        #"(?:a|b)(?#c|d)"#,
        #"(?:ab|cd)"#,
        #"[a-z]x"#,  // a range
        #"[^ab]x"#,  // negated
        #"[\w.]x"#,  // an escape standing for a set
        #"[[:alpha:]_]x"#,
        #"[ab]+x"#,  // repeated
        #"[aé]x"#,  // beyond ASCII
        #"[aA]x"#,  // caselessly, one character
        #"ab|(?i)cd"#,  // at the top level, an option setting reaches into later branches
        #"ab|[cd]+e"#,  // a branch that neither starts with a letter nor splits
        #"ab|"#,
    ])
    func patternsOfOtherShapesStayWhole(_ source: String) throws {
        let options: PatternOptions =
            source == #"(?:ab|cd)"# ? .extended : source.hasPrefix("(?:sa") || source == "[aA]x" ? .caseless : []
        #expect(LeadingAlternation.split(source, options: options) == nil)
    }

    @Test func firstMatchesAreTheWholePatternsOnGeneratedTexts() throws {
        // Alternatives sharing starts and ends, overlapping matches, lookarounds and word boundaries: at one
        // start, several alternatives match with different ends, and the whole pattern's choice must win.
        let sources = [
            #"\b(?:win|winner|wi)\s+\d{1,3}"#,
            #"(?:ab|abc|a)(?:c|d)?"#,
            #"\b(?:get\s+paid|get|getting)\b"#,
            #"(?:cash(?=\s)|cashback|ca)\w*"#,
            #"(?:x\w+?|xy)y"#,
            #"(?:eé|e\w|e)é?"#,
            #"(?:win|get)(?<=n|t)\s*(?:per|a)\b"#,
            #"\b(?:k|s)\w{1,3}"#,
            #"(?:spam|kasse|s+k)\w?"#,
            #"[s5$][^a-z0-9]?l[o0]"#,
            #"\b[k4!]\w?"#,
            #"[-a.]b?"#,
            #"\bwin\s+\d|\b(?:get|wi)\w*|ab"#,
            #"sa|(?:k|x)y|bc"#,
            #"ab|abc?d|a|(?:ca|c)b?"#,
        ]
        let alphabet = ["win", "winner", "wi", " ", "  ", "1", "23", "456", "get", "paid", "getting", "ab", "abc",
                        "a", "c", "d", "cash", "cashback", "ca", "x", "xy", "y", "é", "e", "ée", "per", "\n", "K",
                        "\u{212A}", "\u{017F}", "s", "!", "-", "spam", "Kasse", "\u{017F}pam", "\u{212A}asse",
                        "$", "5", "lo", "l0t", ".", "b", "4", "S-lo"]
        var generator = SplitMix64(seed: 0x5EED_A17E)
        for source in sources {
            for options in [PatternOptions(), .caseless] {
                let split = try Pattern(source, options: options)
                let whole = try Pattern(source, options: options, limits: .default, splittingAlternatives: false)
                #expect(!split.alternatives.isEmpty, "\(source) was not split")
                for _ in 0..<400 {
                    let count = Int.random(in: 0...14, using: &generator)
                    let text = (0..<count).map { _ in alphabet.randomElement(using: &generator)! }.joined()
                    let expected = try whole.firstMatch(in: text)
                    #expect(try split.firstMatch(in: text) == expected, "\(source) on \(text.debugDescription)")
                    #expect(try split.allMatches(in: text) == (try whole.allMatches(in: text)), "\(source) on \(text.debugDescription)")
                }
            }
        }
    }

    @Test func aLimitHitInOneAlternativeFallsBackToTheWholePattern() throws {
        // The alternative `a(?:a|aa)*b` backtracks without end before the `b`: the caller gets the whole
        // pattern's own answer (here the same limit error), not the other alternative's match of `c`.
        let limits = MatchLimits(match: 2_000, depth: 2_000, heapKiB: 1_024)
        let source = #"(?:a(?:a|aa)*b|c)"#
        let split = try Pattern(source, options: [], limits: limits)
        let whole = try Pattern(source, options: [], limits: limits, splittingAlternatives: false)
        #expect(!split.alternatives.isEmpty)
        let text = String(repeating: "a", count: 40) + " c b"
        #expect(throws: MatchingError.self) { try whole.firstMatch(in: text) }
        #expect(throws: MatchingError.self) { try split.firstMatch(in: text) }
        // Without a `b` anywhere, PCRE2 rejects that alternative at once (it needs a `b`), so split, the
        // pattern finds the `c` that the whole pattern gives up on.
        let noB = String(repeating: "a", count: 40) + " c"
        #expect(throws: MatchingError.self) { try whole.firstMatch(in: noB) }
        #expect(try split.firstMatch(in: noB) == MatchSpan(utf8: 41..<42))
    }
}
