@testable import Matching
import HerdwatchTestSupport
import Testing

/// Patterns without literals are prefiltered by script gates and the alphanumeric skeleton; PCRE2 must still
/// find every match it would find without them.
@Suite("Prefilter routes: script gates and alphanumeric skeleton")
struct PrefilterRouteTests {
    static let mixedScript = #"\b\p{Latin}{1,}\p{Cyrillic}|\p{Cyrillic}\p{Latin}{1,}"#

    @Test func aScriptGatedPatternIsSkippedWithoutItsScriptAndFoundWithIt() throws {
        let set = PatternSet([try Pattern(Self.mixedScript), try Pattern("garden", options: .caseless)])
        #expect(set.routes == [.gated, .scanned])
        #expect(Array(try set.candidates(in: "the paypal garden")) == [1])
        // Cyrillic а (U+0430) in a Latin word.
        #expect(Array(try set.candidates(in: "pay\u{0430}l")) == [0])
        #expect(set.matches(in: "pay\u{0430}l").map(\.index) == [0])
    }

    @Test func gatesFollowCaselessEquivalentsAcrossBuckets() throws {
        // GREEK SMALL LETTER MU matches MICRO SIGN (U+00B5, in the Latin-1 bucket) caselessly.
        let mu = try Pattern("μm", options: .caseless)
        let set = PatternSet([mu])
        // Its gate would open on a Latin-1 letter, so it is scanned for in every text (`splittingLatinGates`).
        #expect(set.routes == [.scanned])
        let buckets = PatternStructure(source: "μm", options: .caseless)!.requiredBuckets(using: AtomAnalyzer())!
        #expect(buckets & 1 << ScalarBuckets.bucket(of: 0xB5) != 0)
        // Cherokee capitals (U+13A0…) match their small letters (U+AB70…, another bucket) caselessly.
        let cherokee = PatternStructure(source: #"\x{13AA}"#, options: .caseless)!.requiredBuckets(using: AtomAnalyzer())!
        #expect(cherokee & 1 << ScalarBuckets.bucket(of: 0xAB7A) != 0)
        for (text, index) in [("5 \u{00B5}m", 0), ("5 ΜM", 0)] {
            #expect(try set.patterns[index].matches(text), "PCRE2 should match \(text)")
            #expect(try set.candidates(in: text).contains(index), "gate skipped \(text)")
        }
    }

    @Test func alternativesNeedAGateEach() throws {
        let set = PatternSet([try Pattern("казино|casino"), try Pattern("казино|καζινο")])
        #expect(set.routes == [.scanned, .gated])
        #expect(try set.candidates(in: "καζινο").contains(1))
        #expect(try set.candidates(in: "казино").contains(1))
        #expect(try !set.candidates(in: "kazino").contains(1))
    }

    @Test func patternsALatinLetterWouldUngateAreScannedInEveryText() throws {
        let latin = UInt64(1) << ScalarBuckets.bucket(of: 0xE9)
        let cyrillic = UInt64(1) << ScalarBuckets.bucket(of: 0x0430)
        let emoji = UInt64(1) << ScalarBuckets.bucket(of: 0x1F4B0)
        let capitals = try #require(ScalarBuckets.capitalRunBucket(atLeast: 12))
        let split = PatternSet.splittingLatinGates([
            latin: [4, 1], latin | cyrillic: [2], cyrillic: [0], emoji: [3], capitals | latin: [5],
        ])
        #expect(split.latin == [1, 2, 4])
        #expect(split.gates == [cyrillic: [0], emoji: [3], capitals | latin: [5]])

        // Answers stay PCRE2's whichever group a text opens.
        let sources = [
            ("grátis", PatternOptions.caseless), ("hemen tıkla", .caseless), ("дешево|grátis", .caseless), ("казино", []),
            (#"[\x{1F4B0}\x{1F4B5}]{3,}"#, []), ("[A-Z]{12,}", []), ("garden", .caseless),
        ]
        let set = PatternSet(try sources.map { try Pattern($0.0, options: $0.1) })
        #expect(set.routes == [.scanned, .scanned, .scanned, .gated, .gated, .gated, .scanned])
        let texts = [
            "100 % GRÁTIS", "hemen TIKLA", "дешево", "КАЗИНО казино", "💰💵💰", "SHOUTINGLOUDLY!", "a garden", "é only",
            "ı only", "plain ascii text",
        ]
        for text in texts {
            let nominated = try set.candidates(in: text)
            for index in set.patterns.indices where try set.patterns[index].matches(text) {
                #expect(nominated.contains(index), "pattern \(index) matches \(text) but was not nominated")
            }
        }
        #expect(Array(try set.candidates(in: "plain ascii text")) == [])
    }

    @Test func aLinkPrefixIsLeftToPCRE2() throws {
        #expect(PrefilterRewrite.withoutSchemePrefix(#"https?://(?:www\.)?(?:lucky|bet)-?[a-z0-9]{2,8}\.live"#)
            == #"(?:www\.|//)(?:lucky|bet)-?[a-z0-9]{2,8}\.live"#)
        #expect(PrefilterRewrite.withoutSchemePrefix(#"http://(?:www\.)?casino\.example|bonus"#) == #"(?:www\.|//)casino\.example|bonus"#)
        // Kept: a quantifier or a bare branch after the prefix, a prefix elsewhere, no optional `www.`.
        for kept in [
            #"https?://(?:www\.)?+casino"#, #"https?://(?:www\.)?|casino"#, #"https?://(?:www\.)?"#, #"^https?://(?:www\.)?casino"#,
            #"https?://casino"#, #"casino|https?://(?:www\.)?bet"#,
        ] {
            #expect(PrefilterRewrite.withoutSchemePrefix(kept) == kept, "\(kept)")
        }

        let set = PatternSet([
            try Pattern(#"https?://(?:www\.)?(?:lucky|bet)-?[a-z0-9]{2,8}\.(?:live|com)\b"#, options: .caseless),
            try Pattern(#"https://(?:www\.)?casino\.example/(?:spin|win)"#),
            try Pattern(#"\bhttp://(?:www\.)?(?:pills)\.shop|\bfree\s+pills\b"#, options: .caseless),
        ])
        let texts = [
            "see https://www.lucky-vegas.live/welcome", "HTTPS://WWW.BET365.COM", "http://lucky7.com now", "https://bet.live",
            "https://www.casino.example/spin", "https://casino.example/win", "https://WWW.casino.example/spin",
            "http://www.pills.shop", "HTTP://PILLS.SHOP", "free pills", "www.lucky-vegas.live without a scheme",
            "https://www.lucky.example", "//bet99.com", "https://www.example.org/lucky-vegas.live",
            "https://www.casino.example/spin\nhttps://bet.com", "ftp://www.lucky-vegas.live",
        ]
        var nominatedWithoutMatch = 0
        for text in texts {
            let nominated = try set.candidates(in: text)
            for index in set.patterns.indices {
                let matches = try set.patterns[index].matches(text)
                #expect(!matches || nominated.contains(index), "pattern \(index) matches \(text) but was not nominated")
                if nominated.contains(index), !matches { nominatedWithoutMatch += 1 }
            }
        }
        // The expressions are wider than the rules, and PCRE2 tells them apart.
        #expect(nominatedWithoutMatch > 0)
        #expect(Array(try set.candidates(in: "a garden post with https://www.example.org/beds")) == [])
    }

    @Test func spelledOutWordsAreFoundInTheSkeleton() throws {
        let crypto = try Pattern(#"c[^a-z0-9]*r[^a-z0-9]*y[^a-z0-9]*p[^a-z0-9]*[t7][^a-z0-9]*[o0]"#, options: .caseless)
        let casino = try Pattern(#"c[\s.*_-]*[a4@][\s.*_-]*[s5$][\s.*_-]*[i1!|][\s.*_-]*n[\s.*_-]*[o0]"#, options: .caseless)
        let credit = try Pattern(#"c[^a-z0-9]?r[^a-z0-9]?é[^a-z0-9]?d[^a-z0-9]?[i1!|][^a-z0-9]?[t7]"#, options: .caseless)
        let set = PatternSet([crypto, casino, credit])
        #expect(set.routes == [.skeleton, .skeleton, .skeleton])
        let texts: [(String, Int)] = [
            ("buy c.r.y.p.t.0 now", 0), ("C R Y P T O", 0), ("cr@yp$to", 0), ("cryptо", 0), ("c@$!no", 1),
            ("C_4_S_1_N_0", 1), ("c a s i n o", 1), ("C*R*É*D*I*T", 2), ("cr\u{00E9}d|t", 2),
        ]
        for (text, index) in texts {
            let nominated = try set.candidates(in: text).contains(index)
            #expect(try !set.patterns[index].matches(text) || nominated, "skeleton missed \(text)")
        }
        #expect(try set.patterns[0].matches("cr@yp$to"))
        #expect(Array(try set.candidates(in: "a garden of tomatoes")) == [])
    }

    @Test func kelvinSignAndLongSAreLettersInTheSkeleton() throws {
        let pattern = try Pattern(#"k[\s.*_-]*r[\s.*_-]*[e3][\s.*_-]*d[\s.*_-]*[i1!|][\s.*_-]*[t7]"#, options: .caseless)
        let slots = try Pattern(#"[s5$][^a-z0-9]?l[^a-z0-9]?[o0][^a-z0-9]?[t7][^a-z0-9]?[s5$]"#, options: .caseless)
        let set = PatternSet([pattern, slots])
        #expect(set.routes == [.skeleton, .skeleton])
        #expect(AlphanumericSkeleton.skeleton(of: "\u{212A}.r-e d_I*t \u{017F}") == "kredits")
        for (text, index) in [("\u{212A}.r.e.d.i.t", 0), ("\u{017F}.l.o.t.\u{017F}", 1)] {
            #expect(try set.patterns[index].matches(text))
            #expect(try set.candidates(in: text).contains(index))
        }
    }

    @Test func patternsWithLiteralsStayInThePlainDatabase() throws {
        let set = PatternSet([
            try Pattern(#"\bcasino\b"#, options: .caseless), try Pattern("gg", options: .caseless),
            try Pattern("[A-Z]{2,}"), try Pattern(#"(a)\1"#),
        ])
        #expect(set.routes == [.scanned, .scanned, .scanned, .scanned])
    }

    @Test func capitalRunsGateShoutingPatterns() throws {
        let set = PatternSet([
            try Pattern("[A-Z]{12,}"), try Pattern(#"(?:\b[A-Z]{3,}\b[\s!.,]+){4,}"#), try Pattern("[A-Z]{12,}", options: .caseless),
            try Pattern(#"\p{Lu}{12,}"#), try Pattern("[A-Z]{2}"),
        ])
        // Caseless `[A-Z]` and `\p{Lu}` also match other letters; two capitals are too common to gate on.
        #expect(set.routes == [.gated, .gated, .scanned, .scanned, .scanned])
        #expect(Array(try set.candidates(in: "A quiet note about the NASA launch, Monday.")) == [4])
        let shouting = "WIN BIG NOW! ONLY TODAY! FREEMONEYNOWPLEASE"
        #expect(Array(try set.candidates(in: shouting)) == [0, 1, 2, 3, 4])
        for index in [0, 1] { #expect(try set.patterns[index].matches(shouting)) }
        // Eleven capitals, then a non-ASCII capital: no run of twelve.
        #expect(try !set.candidates(in: "ABCDEFGHIJKÉLMNOP").contains(0))
    }

    @Test func capitalRunBucketsFollowTheLongestRun() {
        var generator = SplitMix64(seed: 0xca75)
        let pieces = ["A", "Q", "Z", "a", "z", "@", "[", "`", "{", "0", " ", "É", "Ω", "\u{1F4B0}", "\n"]
        for _ in 0..<3000 {
            // Mostly capitals, so runs of every length cross the eight-byte words at every offset.
            let text = (0..<Int.random(in: 0...48, using: &generator)).map { _ in
                Int.random(in: 0..<3, using: &generator) == 0 ? pieces.randomElement(using: &generator)! : "M"
            }.joined()
            var longest = 0
            var current = 0
            for scalar in text.unicodeScalars {
                current = ("A"..."Z").contains(scalar) ? current + 1 : 0
                longest = max(longest, current)
            }
            var copy = text
            let mask = copy.withUTF8 { ScalarBuckets.mask(of: $0, capitalRuns: true) }
            for run in ScalarBuckets.capitalRuns {
                #expect((mask & run.bit != 0) == (longest >= run.length), "\(text): longest run \(longest)")
            }
            #expect(copy.withUTF8 { ScalarBuckets.mask(of: $0) } & ScalarBuckets.capitalRunMask == 0)
        }
    }

    /// Shouting patterns against texts of capitals, spaces and punctuation: gated, they give the naive answers.
    @Test func capitalGatedAnswersEqualNaiveAnswers() throws {
        var generator = SplitMix64(seed: 0x5407)
        var patterns: [Pattern] = []
        for length in [3, 5, 6, 8, 12, 13, 20] { patterns.append(try Pattern("[A-Z]{\(length),}")) }
        for words in [2, 4, 7] { patterns.append(try Pattern(#"(?:\b[A-Z]{3,}\b[\s!.,]+){\#(words),}"#)) }
        patterns.append(try Pattern(#"\b[A-HJ-Z]{6}\b"#))
        let prefiltered = PatternSet(patterns)
        let naive = PatternSet(patterns, prefilter: false)
        #expect(prefiltered.routes.allSatisfy { $0 == .gated })
        let pieces = ["BUY", "NOW", "FREE", "MONEY", "I", "A", "Ok", "no", "É", "!", " ", ".", ",", "  ", "\n", "ÄÖÜ", "X"]
        for _ in 0..<1500 {
            let text = (0..<Int.random(in: 1...30, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let expected = naive.matches(in: text).map { "\($0.index):\(String(describing: try? $0.result.get()))" }
            let actual = prefiltered.matches(in: text).map { "\($0.index):\(String(describing: try? $0.result.get()))" }
            #expect(actual == expected, "\(text)")
        }
    }

    @Test(arguments: [
        (#"a(?:b|c)*d"#, true), (#"(?i)x\p{Lu}[^\]a]{2,5}?"#, true), (#"(?<name>a)(?=b)(?#c)\b"#, true),
        (#"(a)\1"#, false), (#"(?x) a b"#, false), (#"\Qa\E"#, false), (#"a{,3}"#, false), (#"(?R)"#, false),
        (#"(*UTF)a"#, false), (#"\X"#, false), (#"(?(1)a|b)"#, false),
    ])
    func theStructureParserOnlyTakesWhatItUnderstands(source: String, understood: Bool) {
        #expect((PatternStructure(source: source, options: []) != nil) == understood)
    }

    @Test func bucketMasksMatchThePerCodePointBuckets() {
        var generator = SplitMix64(seed: 0xb0c)
        let samples: [UInt32] = [0x41, 0xE9, 0x17F, 0x3A9, 0x436, 0x5D0, 0x13AA, 0x2014, 0x3042, 0x6F22, 0xAB7A, 0xFE0F, 0x1F4B0, 0xE0041]
        for _ in 0..<200 {
            var text = ""
            for _ in 0..<Int.random(in: 0...20, using: &generator) {
                text.unicodeScalars.append(Unicode.Scalar(samples.randomElement(using: &generator)!)!)
            }
            let expected = text.unicodeScalars.reduce(UInt64(0)) { $0 | 1 << UInt64(ScalarBuckets.bucket(of: $1.value)) }
            var copy = text
            #expect(copy.withUTF8 { ScalarBuckets.mask(of: $0) } == expected)
        }
    }

    /// Obfuscated and mixed-script patterns against texts full of separators, leetspeak, look-alikes and other
    /// scripts: the routed prefilter must give the naive loop's answers.
    @Test func routedAnswersEqualNaiveAnswers() throws {
        var generator = SplitMix64(seed: 0x5ca1)
        let words = ["crypto", "casino", "slots", "kredit", "crédit", "spins", "казино", "poker", "likes"]
        let leet: [Character: String] = ["a": "[a4@]", "e": "[e3]", "i": "[i1!|]", "o": "[o0]", "s": "[s5$]", "t": "[t7]"]
        let separators = [#"[^a-z0-9]*"#, #"[^a-z0-9]?"#, #"[\s.*_-]*"#]
        var patterns: [Pattern] = []
        for word in words {
            for separator in separators {
                let source = word.map { leet[$0] ?? String($0) }.joined(separator: separator)
                patterns.append(try Pattern(source, options: .caseless))
            }
        }
        for script in ["Cyrillic", "Greek", "Armenian", "Cherokee"] {
            patterns.append(try Pattern(#"\b\p{Latin}{1,}\p{\#(script)}|\p{\#(script)}\p{Latin}{1,}"#))
        }
        let prefiltered = PatternSet(patterns)
        let naive = PatternSet(patterns, prefilter: false)
        #expect(prefiltered.routes.filter { $0 == .skeleton }.count > 15)
        #expect(prefiltered.routes.filter { $0 == .gated }.count >= 4)
        let pieces = [
            "c", "r", "y", "p", "t", "o", "a", "s", "i", "n", "l", "k", "e", "d", "é", "É", "4", "@", "$", "!", "|", "0",
            "7", "5", "1", ".", " ", "-", "_", "*", "\u{212A}", "\u{017F}", "к", "а", "з", "и", "н", "о", "ο", "օ",
            "Ꭺ", "\u{200B}", "💰", "\n",
        ]
        for _ in 0..<1500 {
            let text = (0..<Int.random(in: 1...24, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let expected = naive.matches(in: text).map { "\($0.index):\(String(describing: try? $0.result.get()))" }
            let actual = prefiltered.matches(in: text).map { "\($0.index):\(String(describing: try? $0.result.get()))" }
            #expect(actual == expected, "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
        }
    }

    /// Hyperscan 5.4's Unicode tables are older than PCRE2's: it does not know the Cherokee small letters
    /// (Unicode 8) as Cherokee, so a pattern it scans in UTF-8 mode misses them. This predates the routes (the
    /// plain route sends the same expression); recorded here so the gap is visible and the test notices a fix.
    @Test func hyperscanMissesCodePointsNewerThanItsUnicodeTables() throws {
        let set = PatternSet([try Pattern(#"\p{Latin}\p{Cherokee}"#)])
        #expect(try set.patterns[0].matches("a\u{AB7A}"))
        let nominated = try set.candidates(in: "a\u{AB7A}").contains(0)
        withKnownIssue { #expect(nominated) }
    }
}
