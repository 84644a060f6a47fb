import HerdwatchTestSupport
import Testing

@testable import ActivityPub

@Suite struct HTMLTextTests {
    @Test(arguments: [
        ("<p>Hello</p><p>World</p>", "Hello\n\nWorld"),
        ("line one<br>line two<br/>line three<br />end", "line one\nline two\nline three\nend"),
        ("a<br><br>b", "a\n\nb"),
        ("<p>  lots   of\n\t whitespace </p>", "lots of whitespace"),
        ("<p>keep <b>bold</b> and <em>em</em></p>", "keep bold and em"),
        ("before<script>alert('x')</script>after", "beforeafter"),
        ("<style>p { color: red }</style><p>styled</p>", "styled"),
        ("<!-- a comment --><p>visible</p>", "visible"),
        ("x < y and y > z", "x < y and y > z"),
        ("<p>unclosed <b>bold", "unclosed bold"),
        ("broken <a href=\"https://x.example/", "broken <a href=\"https://x.example/"),
        ("<ul><li>one</li><li>two</li></ul>", "one\ntwo"),
        ("3 <3 you", "3 <3 you"),
        ("<SCRIPT>hidden()</SCRIPT>shown", "shown"),
        ("<p>Lemmy\n</p>\n<hr />\n<p>post</p>\n", "Lemmy\n\npost"),
        ("", ""),
        // Runs of words are copied with their single spaces; any other whitespace still collapses.
        ("<p>one two  three\n four\tfive </p><p> six seven</p>", "one two three four five\n\nsix seven"),
        ("a <b>b</b> &amp; c", "a b & c"),
        ("x &nbsp;y z ", "x y z"),
        ("end with space <br>next", "end with space\nnext"),
        ("word  <a href=\"https://x.example/\">link text</a> after", "word link text after"),
    ])
    func convertsMarkupToText(html: String, text: String) {
        #expect(HTMLText(html: html).text == text)
    }

    @Test(arguments: [
        ("&amp; &lt; &gt; &quot; &apos; &#39;", "& < > \" ' '"),
        ("caf&eacute; &euro;5 &mdash; &hellip; &ldquo;hi&rdquo; &trade;", "café €5 — … “hi” ™"),
        ("&#x1F600; &#128512; &#X41;", "😀 😀 A"),
        ("a&nbsp;b", "a b"),
        ("&#150; &#x93;quoted&#x94;", "– “quoted”"),
        ("&#0; &#xD800; &#x110000;", "\u{FFFD} \u{FFFD} \u{FFFD}"),
        ("&unknown; &amp", "&unknown; &"),
        ("AT&T R&D", "AT&T R&D"),
        ("&lt;script&gt;", "<script>"),
    ])
    func decodesEntities(html: String, text: String) {
        #expect(HTMLText(html: html).text == text)
    }

    @Test func classifiesAnchors() {
        let html = """
            <p><span class="h-card"><a href="https://misskey.example/@bob" class="u-url mention">@<span>bob</span></a></span> \
            <a href="https://social.example/tags/birds" class="mention hashtag" rel="tag">#<span>Birds</span></a> \
            <a href="https://example.com/a?x=1&amp;y=2" rel="nofollow">read</a></p>\
            <p class="quote-inline">RE: <a href="https://b.example/notes/1">https://b.example/notes/1</a></p>
            """
        let parsed = HTMLText(html: html)
        #expect(parsed.anchors.count == 4)
        #expect(parsed.anchors[0] == .init(href: "https://misskey.example/@bob", text: "@bob", isMention: true, isHashtag: false, isQuoteFallback: false))
        #expect(parsed.anchors[1].isHashtag && !parsed.anchors[1].isMention && parsed.anchors[1].text == "#Birds")
        #expect(parsed.anchors[2] == .init(href: "https://example.com/a?x=1&y=2", text: "read", isMention: false, isHashtag: false, isQuoteFallback: false))
        #expect(parsed.anchors[3].isQuoteFallback)
        #expect(parsed.text == "@bob #Birds read\n\nRE: https://b.example/notes/1")
        #expect(parsed.bareURLs.isEmpty)
    }

    @Test func anchorsWithoutClassAreClassifiedByText() {
        let parsed = HTMLText(html: #"<a href="https://m.example/@x">@x</a> <a href="https://m.example/tags/y">#y</a>"#)
        #expect(parsed.anchors.map(\.isMention) == [true, false])
        #expect(parsed.anchors.map(\.isHashtag) == [false, true])
    }

    @Test func aFullwidthNumberSignMakesAHashtag() {
        let parsed = HTMLText(html: """
            <a href="https://m.example/tags/猫">＃猫</a> <a href="https://m.example/x">x＃</a>             <a href="https://m.example/y"> ＃y</a> <a href="https://m.example/z">＄z</a>
            """)
        #expect(parsed.anchors.map(\.isHashtag) == [true, false, true, false])
        #expect(parsed.anchors.map(\.isMention) == [false, false, false, false])
    }

    @Test func findsBareURLsOutsideAnchors() {
        let parsed = HTMLText(html: """
            <p>see https://one.example/path, and (https://two.example/x_(y)) or <a href="https://three.example/">https://three.example/</a>.</p>\
            <p>Japanese: https://荒らし.com/です、HTTPS://UPPER.example/A!</p>
            """)
        #expect(parsed.bareURLs == ["https://one.example/path", "https://two.example/x_(y)", "https://荒らし.com/です", "HTTPS://UPPER.example/A"])
    }

    @Test func plainTextURLScanner() {
        #expect(URLScanner.urls(in: "[guide](https://g.example/mulch) and http://h.example.") == ["https://g.example/mulch", "http://h.example"])
        #expect(URLScanner.urls(in: "nohttps://x.example https:// http:/x").isEmpty)
        #expect(URLScanner.urls(in: "dup https://d.example dup https://d.example") == ["https://d.example"])
    }

    /// The scanner jumps from colon to colon; this checks it against trying every position, on generated text.
    @Test func urlScannerFindsWhatTryingEveryPositionFinds() {
        func reference(_ text: String) -> [String] {
            let bytes = Array(text.utf8)
            return bytes.withUnsafeBufferPointer { bytes in
                var found: [String] = []
                var index = 0
                while index < bytes.count {
                    let rest = bytes[index...].prefix(8).map { $0 | 0x20 }
                    let schemeLength = rest.starts(with: "https://".utf8) ? 8 : rest.starts(with: "http://".utf8) ? 7 : 0
                    guard schemeLength > 0, index == 0 || !URLScanner.isWordByte(bytes[index - 1]) else {
                        index += 1
                        continue
                    }
                    let afterScheme = index + schemeLength
                    var end = afterScheme
                    while end < bytes.count, let length = URLScanner.urlCharacterLength(bytes, at: end) { end += length }
                    end = URLScanner.trimTrailingPunctuation(bytes, start: afterScheme, end: end)
                    if end > afterScheme {
                        let url = String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<end]), as: UTF8.self)
                        if !found.contains(url) { found.append(url) }
                    }
                    index = max(end, index + 1)
                }
                return found
            }
        }
        let fragments = [
            "http://", "https://", "HTTPS://", "hTTp://", "hxxp://", "http:/", "://", ":", "//", "h", "s", "x", "a.example",
            "/path", " ", "(", ")", ".", ",", "荒らし", "\u{3000}", "\n", "ahttp://", "?q=1", "#f", "<", "\"",
        ]
        var generator = SplitMix64(seed: 0x55524C)
        var withURLs = 0
        for _ in 0..<3_000 {
            var text = ""
            for _ in 0..<Int.random(in: 1...14, using: &generator) { text += fragments.randomElement(using: &generator)! }
            let expected = reference(text)
            if !expected.isEmpty { withURLs += 1 }
            #expect(URLScanner.urls(in: text) == expected, "\(text.debugDescription)")
        }
        #expect(withURLs > 300)
    }

    @Test func survivesHostileMarkup() {
        let inputs = [
            "<", "<<<<", "<a", "<a href=", "<a href='x", "</", "<!--", "<!-- never closed", "&", "&#", "&#x", "&#xZZ;",
            "<a href=\"x\"><a href=\"y\">nested</a>", "</a></a></p>", "<p class=\"quote-inline\"><p>deep</p>",
            String(repeating: "<b>", count: 10_000), String(repeating: "&amp", count: 1000),
            "<script>never closed", "<a href=\"https://x.example\">" + String(repeating: "x", count: 100),
        ]
        for input in inputs {
            _ = HTMLText(html: input)
        }
        #expect(HTMLText(html: "<a href=\"x\"><a href=\"y\">nested</a>").anchors.map(\.href) == ["x", "y"])
        #expect(HTMLText(html: "<script>never closed").text == "")
        #expect(HTMLText(html: "&#").text == "&#")
    }
}

/// All of HTML's named character references, from the generated table.
@Suite struct HTMLEntitiesTableTests {
    /// The WHATWG list has 2,231 names (106 of them legacy names without `;`), as the generator reports.
    @Test func tableHoldsEveryName() {
        #expect(HTMLEntities.generatedCount == 2231)
        #expect(HTMLEntities.named.count == HTMLEntities.generatedCount)
        #expect(HTMLEntities.named.keys.filter { !$0.hasSuffix(";") }.count == 106)
    }

    @Test(arguments: [
        // Letters outside the old hand-picked ~200 spell words rules must see.
        ("&copf;&aopf;&nopf; &Copf;asino", "𝕔𝕒𝕟 ℂasino"),
        ("&bopf;&uopf;&yopf; &afr;&bfr; &ascr;", "𝕓𝕦𝕪 𝔞𝔟 𝒶"),
        // Names for more than one scalar.
        ("&NotEqualTilde; &bne; &fjlig;", "\u{2242}\u{338} =\u{20E5} fj"),
        // Legacy names work without `;` in text, longest first; other names need it.
        ("&copy 2024 &notit; &AMP &copf", "© 2024 ¬it; & &copf"),
        ("&CounterClockwiseContourIntegral;", "∳"),
    ])
    func decodesNamedReferences(html: String, text: String) {
        #expect(HTMLText(html: html).text == text)
    }

    /// In an attribute a legacy name followed by a letter, digit or `=` is left alone, so query strings survive.
    @Test func attributesKeepQueryStrings() {
        let html = #"<a href="https://x.example/?a=1&copy=2&not3&reg;&amp;b">x</a>"#
        #expect(HTMLText(html: html).anchors.map(\.href) == ["https://x.example/?a=1&copy=2&not3®&b"])
    }

    @Test func normalizedContentHasTheDecodedText() throws {
        let activity = try Activity(json: .object([
            "type": .string("Create"), "actor": .string("https://a.example/users/x"),
            "object": .object(["type": .string("Note"), "content": .string("<p>free &copf;&aopf;&nopf;dy</p>")]),
        ]))
        #expect(Normalizer.subject(for: activity).texts[.content] == "free 𝕔𝕒𝕟dy")
    }
}
