import Matching
import Testing

@Suite("Pattern (PCRE2)")
struct PatternTests {
    @Test func compileErrorCarriesOffsetAndMessage() {
        #expect {
            _ = try Pattern("casino(")
        } throws: { error in
            guard let error = error as? MatchingError else { return false }
            return error.code == .compile && error.offset == 7 && error.message.contains("missing closing parenthesis")
        }
    }

    @Test func caselessMatchingUnderstandsUnicode() throws {
        let pattern = try Pattern("straße|ΚΑΛΗΜΕΡΑ", options: .caseless)
        #expect(try pattern.matches("STRASSE") == false)
        #expect(try pattern.matches("Straße"))
        #expect(try pattern.matches("καλημερα"))
    }

    @Test func wordBoundariesUseUnicodeProperties() throws {
        let pattern = try Pattern(#"\bcafé\b"#)
        #expect(try pattern.matches("un café noir"))
        #expect(try pattern.matches("cafés") == false)
    }

    @Test func spansReportBytesAndCharacters() throws {
        let text = "荒らし spam at https://xn--68j5e377y.com/ now"
        let span = try #require(try Pattern(#"https?://\S+"#).firstMatch(in: text))
        #expect(span.matchedText(in: text) == "https://xn--68j5e377y.com/")
        #expect(span.utf8.lowerBound == 18)
        #expect(span.characters(in: text) == 12..<38)
        #expect(span.excerpt(in: text, width: 5) == "…m at [https://xn--68j5e377y.com/] now")
    }

    /// Character offsets are counted eight bytes at a time with per-byte counters flushed every 255 words: check
    /// them against Swift's own count on texts long enough to flush, in every script width.
    @Test(arguments: [1, 7, 8, 9, 2039, 2040, 2041, 9000])
    func characterOffsetsAgreeWithUnicodeScalarsOnLongTexts(length: Int) throws {
        let alphabet: [Unicode.Scalar] = ["a", "é", "荒", "😀", " ", "ж"]
        var text = ""
        for index in 0..<length { text.unicodeScalars.append(alphabet[(index * 7 + index / 3) % alphabet.count]) }
        text += " needle"
        let span = try #require(try Pattern("needle").firstMatch(in: text))
        #expect(span.characters(in: text) == (length + 1)..<(length + 7))
    }

    @Test func excerptsStayOnOneLineAndMarkCuts() throws {
        let text = "line one\r\nhas the\u{2028}needle\u{85}in it\nand then goes on for a while longer"
        let span = try #require(try Pattern("needle").firstMatch(in: text))
        #expect(span.excerpt(in: text, width: 10) == "… has the [needle] in it and…")
        let long = try #require(try Pattern("x+").firstMatch(in: String(repeating: "x", count: 100)))
        #expect(long.excerpt(in: String(repeating: "x", count: 100), width: 3) == "[" + String(repeating: "x", count: 80) + "…]")
    }

    @Test func matchLimitIsAnErrorNotANoMatch() throws {
        let pattern = try Pattern("(a+)+$", limits: MatchLimits(match: 10_000, depth: 1_000, heapKiB: 1024))
        let text = String(repeating: "a", count: 40) + "!"
        #expect {
            _ = try pattern.matches(text)
        } throws: { error in
            (error as? MatchingError)?.code.isLimit == true
        }
    }

    @Test func allMatchesStepsOverEmptyMatchesWithoutLooping() throws {
        let spans = try Pattern("x*").allMatches(in: "aé")
        #expect(spans.map(\.utf8) == [0..<0, 1..<1, 3..<3])
    }

    @Test func flagsParseAndReject() throws {
        #expect(try PatternOptions(flags: "is") == [.caseless, .dotAll])
        #expect(try PatternOptions(flags: "xmi").flags == "imx")
        #expect(throws: PatternOptionsError.self) { try PatternOptions(flags: "g") }
    }

    @Test func emptyTextIsMatchable() throws {
        #expect(try Pattern("^$").matches(""))
        #expect(try Pattern("a").matches("") == false)
    }
}
