@testable import Matching
import HerdwatchTestSupport
import Testing

@Suite("PatternSet (Hyperscan prefilter, PCRE2 confirm)")
struct PatternSetTests {
    @Test func prefilterNominatesOnlyPossibleMatches() throws {
        let set = PatternSet([
            try Pattern("casino", options: .caseless),
            try Pattern(#"free\s+crypto"#, options: .caseless),
            try Pattern("ctkpaarr"),
        ])
        #expect(set.exclusions.isEmpty)
        #expect(set.prefilteredCount == 3)
        let candidates = try set.candidates(in: "Win at the CASINO today")
        #expect(Array(candidates) == [0])
        #expect(set.matches(in: "FREE   crypto and ctkpaarr").map(\.index) == [1, 2])
    }

    /// A text's scan input (script mask and skeleton), computed once when a subject is prepared, gives the
    /// candidates computing them during the scan gives, for a set with every route.
    @Test func scanInputsComputedAheadGiveTheSameCandidates() throws {
        let set = PatternSet([
            try Pattern("casino", options: .caseless),
            try Pattern(#"c[\s.*_-]*r[\s.*_-]*y[\s.*_-]*p[\s.*_-]*t[\s.*_-]*o"#, options: .caseless),
            try Pattern(#"\p{Cyrillic}+казино"#),
            try Pattern("[A-Z]{12,}"),
            try Pattern(#"\bpréstamo\b"#, options: .caseless),
        ])
        #expect(set.routes.contains(.skeleton) && set.routes.contains(.gated) && set.routes.contains(.scanned))
        let texts = [
            "", "plain text", "c.r.y.p.t.o here", "нашеказино", "FREEMONEYRIGHTNOW", "un préstamo rápido",
            "CASINO and c r y p t o and БОЛЬШОЕказино and PRÉSTAMO", "ＣＲＹＰＴＯ 😀",
        ]
        for text in texts {
            let ahead = try set.candidates(in: text, input: set.scanInput(for: text))
            #expect(Array(ahead) == Array(try set.candidates(in: text)), "\(text)")
        }
        // A scan input is what makes a gate open: one from a text without Cyrillic keeps the Cyrillic gate shut.
        let cyrillic = "нашеказино"
        #expect(Array(try set.candidates(in: cyrillic)).contains(2))
        #expect(!Array(try set.candidates(in: cyrillic, input: set.scanInput(for: "plain"))).contains(2))
    }

    @Test func largeBoundedRepeatsStayOutOfHyperscanButStillMatch() throws {
        let set = PatternSet([try Pattern("<a[^>]{1,1000}>spam"), try Pattern("ham")])
        #expect(set.exclusions.map(\.index) == [0])
        #expect(set.exclusions.first?.reason.contains("repeat bound 1000") == true)
        #expect(set.matches(in: "<a href=x>spam").map(\.index) == [0])
    }

    @Test func patternsHyperscanRejectsFallBackToPCRE2() throws {
        // Recursion and backtracking verbs are PCRE2-only; an empty-matching pattern is refused by Hyperscan.
        let set = PatternSet([
            try Pattern(#"\((?:[^()]|(?R))*\)"#),
            try Pattern("a*"),
            try Pattern("spam"),
        ])
        #expect(Set(set.exclusions.map(\.index)) == [0, 1])
        let found = set.matches(in: "(nested (parens))").map(\.index)
        #expect(found == [0, 1])
    }

    @Test func repeatBoundScannerIgnoresEscapesAndClasses() {
        #expect(PatternSet.largestRepeatBound(in: #"a{2,300}"#) == 300)
        #expect(PatternSet.largestRepeatBound(in: #"a\{5000}"#) == nil)
        #expect(PatternSet.largestRepeatBound(in: #"[{]9999}"#) == nil)
        #expect(PatternSet.largestRepeatBound(in: #"x{12}y{3,}"#) == 12)
        #expect(PatternSet.largestRepeatBound(in: "{oops") == nil)
    }

    @Test func limitErrorsAreReportedPerPattern() throws {
        let limits = MatchLimits(match: 5_000, depth: 500, heapKiB: 512)
        let set = PatternSet([try Pattern("(?:a|aa){1,150}$", limits: limits), try Pattern("a{3}")])
        let results = set.matches(in: String(repeating: "a", count: 40) + "!")
        #expect(results.count == 2)
        #expect(throws: MatchingError.self) { try results.first { $0.index == 0 }?.result.get() }
        #expect(try results.first { $0.index == 1 }?.result.get().utf8 == 0..<3)
    }

    /// Generated patterns and texts: the prefiltered set must give exactly the naive loop's answers.
    @Test func prefilteredAnswersEqualNaiveAnswers() throws {
        var generator = SplitMix64(seed: 0x5eed)
        let words = ["casino", "crypto", "bonus", "free", "ΔΩΡΕΑΝ", "荒らし", "discord", "gg", "win", "Straße", "bet"]
        var patterns: [Pattern] = []
        for index in 0..<400 {
            let first = words.randomElement(using: &generator)!
            let second = words.randomElement(using: &generator)!
            let source: String
            switch index % 6 {
            case 0: source = first
            case 1: source = "\(first)\\s*\(second)"
            case 2: source = "\\b\(first)\\b"
            case 3: source = "(?:\(first)|\(second))\\W{1,3}\\d+"
            case 4: source = "\(first).{0,20}\(second)"
            default: source = "[\(first.prefix(2))]{2,4}\(second.suffix(2))"
            }
            let options: PatternOptions = index % 3 == 0 ? [] : .caseless
            patterns.append(try Pattern(source, options: options))
        }
        let prefiltered = PatternSet(patterns)
        let naive = PatternSet(patterns, prefilter: false)
        #expect(prefiltered.prefilteredCount > 350)
        for _ in 0..<300 {
            let length = Int.random(in: 1...25, using: &generator)
            let filler = [" ", "-", "!", "12", "\n", "x", "é"]
            let text = (0..<length).map { _ in
                Bool.random(using: &generator)
                    ? words.randomElement(using: &generator)!.uppercased()
                    : filler.randomElement(using: &generator)!
            }.joined(separator: Bool.random(using: &generator) ? " " : "")
            let expected = naive.matches(in: text).map { "\($0.index):\(String(describing: try? $0.result.get()))" }
            let actual = prefiltered.matches(in: text).map { "\($0.index):\(String(describing: try? $0.result.get()))" }
            #expect(actual == expected)
        }
    }
}

@Suite("Prefilter rewrite (superset without UCP)")
struct PrefilterRewriteTests {
    /// Each case: a pattern and texts PCRE2 (UTF + UCP) matches; the prefilter must nominate it for all of them.
    static let cases: [(String, [String])] = [
        (#"\w{2,8}"#, ["éé", "ab", "日本"]),
        (#"\bcafé\b"#, ["un café noir"]),
        (#"(?:casino|bonus)\W{0,3}\d{1,4}"#, ["casino… ٣", "bonus - 12", "casino٣"]),
        (#"[\w.-]+@example"#, ["jürgen.x@example"]),
        (#"[^\d\s]+z"#, ["éz", "×z"]),
        (#"[[:alpha:]]{3}!"#, ["äöü!"]),
        (#"\s+x"#, ["\u{00A0}x", "\u{3000}x"]),
        (#"[\]a]+b"#, ["]ab"]),
        // Byte-mode rewrite: one repetition per code point, whatever its UTF-8 length.
        (#"x.{2}y"#, ["xééy", "x漢字y", "x😀😀y"]),
        (#"[^a]{2}x"#, ["ééx", "a😀😀x"]),
        (#"[а-я]{3,}"#, ["привет"]),
        (#"\d{2}!"#, ["٣٤!"]),
        (#"荒らし\.com"#, ["https://荒らし.com/"]),
        (#"\p{Han}{2}"#, ["漢字"]),
        (#"[é-ü]z"#, ["öz"]),
        (#"[-a-c]+d"#, ["-bd"]),
        (#"(?i)caf[eé]"#, ["CAFÉ", "Cafe"]),
        (#"\x{41}b"#, ["Ab"]),
        (#"a\W+b"#, ["a — b", "a\u{3000}b"]),
        (#"(?i)casino"#, ["ca\u{017F}ino", "CASINO"]),
        (#"(?i)[a-z]{4}"#, ["\u{212A}ing"]),
        (#"(?:ab|c)\w{2,3}?z"#, ["cééz", "ab漢字z"]),
        (#"x\s?y\S{0,2}z"#, ["x\u{3000}yééz"]),
        (#"[^\s]{2}\.[^a-c]+\d{1}"#, ["éé.ü٣"]),
    ]

    @Test(arguments: cases)
    func prefilterNominatesEverythingPCRE2Matches(source: String, texts: [String]) throws {
        for options in [PatternOptions(), .caseless, .dotAll] {
            let pattern = try Pattern(source, options: options)
            let set = PatternSet([pattern])
            for text in texts where try pattern.matches(text) {
                #expect(Array(try set.candidates(in: text)) == [0], "prefilter missed \(text) for \(source) [\(options.flags)]")
            }
        }
        let pattern = try Pattern(source)
        let set = PatternSet([pattern])
        for text in texts {
            #expect(try pattern.matches(text), "PCRE2 should match \(text)")
            #expect(Array(try set.candidates(in: text)) == [0], "prefilter missed \(text) for \(source)")
        }
    }

    @Test func theRewriteKeepsHyperscanCompilesFast() throws {
        // With UCP these take hundreds of milliseconds each to compile; rewritten, the set builds at once.
        let patterns = try (0..<60).map { try Pattern(#"(?:casino\#($0)|bonus)\W{0,3}\d{1,4}|\w{2,8}x\#($0)"#, options: .caseless) }
        let clock = ContinuousClock()
        let elapsed = clock.measure { _ = PatternSet(patterns) }
        #expect(elapsed < .seconds(5))
    }
}

@Suite("Prefilter with Unicode properties and case variants")
struct PrefilterPropertyTests {
    static let cases: [(String, PatternOptions, [String], [String])] = [
        // pattern, options, texts PCRE2 matches (must be nominated), texts nobody matches (must not be)
        (#"\p{Latin}{3,}\p{Cyrillic}"#, [], ["abcд", "éèêж"], ["plain ascii text only"]),
        (#"\p{Lu}\p{Ll}+\d"#, [], ["Émile7", "Zoë٣"], []),
        (#"caf\x{e9}|(?i)CAFÉ"#, [], ["café", "Café", "CAFÉ"], []),
        (#"straße"#, .caseless, ["STRAẞE", "straße"], ["strasse"]),
        (#"[é-ü]+x"#, .caseless, ["ÖX", "éx"], []),
    ]

    @Test(arguments: cases)
    func propertiesAndCaseVariantsStaySupersets(source: String, options: PatternOptions, matching: [String], other: [String]) throws {
        let pattern = try Pattern(source, options: options)
        let set = PatternSet([pattern])
        for text in matching {
            #expect(try pattern.matches(text), "PCRE2 should match \(text)")
            #expect(Array(try set.candidates(in: text)) == [0], "prefilter missed \(text) for \(source)")
        }
        for text in other {
            #expect(try pattern.matches(text) == false)
        }
    }
}

/// `CandidateSet` is a value: a copy changes independently of the set it was copied from.
@Suite("CandidateSet")
struct CandidateSetTests {
    @Test func copiesAreIndependentValues() {
        var original = CandidateSet(capacity: 200)
        for index in [0, 63, 64, 130, 199] { original.insert(index) }
        var copy = original
        copy.insert(5)
        copy.formIntersection(CandidateSet(all: 100))
        #expect(Array(original) == [0, 63, 64, 130, 199])
        #expect(Array(copy) == [0, 5, 63, 64])
        var union = original
        union.formUnion(copy)
        #expect(Array(union) == [0, 5, 63, 64, 130, 199])
        #expect(Array(original) == [0, 63, 64, 130, 199])
        #expect(union.count == 6 && !union.isEmpty && CandidateSet(capacity: 70).isEmpty)
        #expect(original.contains(130) && !original.contains(131) && !original.contains(-1) && !original.contains(200))
    }

    @Test func writingThroughTheWordsCopiesASharedSet() {
        let shared = CandidateSet(capacity: 128)
        var written = shared
        written.withUnsafeMutableWords { $0[1] = 1 << 3 }
        #expect(Array(written) == [67])
        #expect(Array(shared) == [])
    }

    @Test func membersMatchASetOfIntegersAcrossWords() {
        var generator = SplitMix64(seed: 0xC0FFEE)
        for _ in 0..<200 {
            let capacity = Int.random(in: 0...300, using: &generator)
            var set = CandidateSet(capacity: capacity)
            var reference = Set<Int>()
            for _ in 0..<Int.random(in: 0...40, using: &generator) where capacity > 0 {
                let index = Int.random(in: 0..<capacity, using: &generator)
                set.insert(index)
                reference.insert(index)
            }
            #expect(Array(set) == reference.sorted())
            #expect(set.count == reference.count)
        }
    }
}
