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

    /// Character offsets are counted 32 bytes at a time with per-byte counters flushed every 127 rounds, then
    /// eight bytes and one byte at a time: check them against Swift's own count on texts long enough to flush,
    /// and with every kind of tail, in every script width.
    @Test(arguments: [1, 7, 8, 9, 31, 32, 33, 2039, 2040, 2041, 4063, 4064, 4065, 9000])
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

    /// Excerpts skip plain runs eight bytes at a time and take context by bytes when it is ASCII: check them
    /// against a code point by code point reference on texts mixing scripts, every line break, tabs and the
    /// non-breaking space and dash (which share a first byte with NEL and LS).
    @Test func excerptsAgreeWithAScalarByScalarReference() throws {
        let pieces = [
            "a", "word ", "é", "荒", "😀", " ", "\n", "\r\n", "\r", "\u{0B}", "\u{0C}", "\u{85}", "\u{2028}", "\u{2029}", "\t",
            "\u{A0}", "–", "…", "plain ascii run of text ",
        ]
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(bound))
        }
        for _ in 0..<1500 {
            var text = ""
            for _ in 0..<(1 + next(60)) { text += pieces[next(pieces.count)] }
            let scalars = Array(text.unicodeScalars)
            var offsets = [0]
            for scalar in scalars { offsets.append(offsets.last! + String(scalar).utf8.count) }
            let lower = next(scalars.count + 1)
            let upper = lower + next(scalars.count - lower + 1)
            let width = [0, 1, 3, 10, 24][next(5)]
            let span = MatchSpan(utf8: offsets[lower]..<offsets[upper])
            let expected = Self.referenceExcerpt(scalars, lower..<upper, width: width)
            #expect(span.excerpt(in: text, width: width) == expected, "text \(text.debugDescription), span \(lower)..<\(upper)")
            #expect(span.characters(in: text) == lower..<upper)
        }
    }

    private static func referenceExcerpt(_ scalars: [Unicode.Scalar], _ span: Range<Int>, width: Int) -> String {
        func oneLine(_ range: Range<Int>) -> String {
            var result = ""
            var index = range.lowerBound
            while index < range.upperBound {
                let scalar = scalars[index]
                switch scalar {
                case "\r":
                    result += " "
                    if index + 1 < range.upperBound, scalars[index + 1] == "\n" { index += 1 }
                case "\n", "\u{0B}", "\u{0C}", "\u{85}", "\u{2028}", "\u{2029}":
                    result += " "
                default:
                    result.unicodeScalars.append(scalar)
                }
                index += 1
            }
            return result
        }
        let start = max(0, span.lowerBound - width)
        let end = min(scalars.count, span.upperBound + width)
        let matchEnd = min(span.upperBound, span.lowerBound + 80)
        return (start > 0 ? "…" : "") + oneLine(start..<span.lowerBound) + "[" + oneLine(span.lowerBound..<matchEnd)
            + (matchEnd < span.upperBound ? "…" : "") + "]" + oneLine(span.upperBound..<end) + (end < scalars.count ? "…" : "")
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
