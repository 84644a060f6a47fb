import Foundation
import Testing

@testable import Matching

@Suite("TextFolding")
struct TextFoldingTests {
    @Test(
        "compatibility forms fold to plain letters",
        arguments: [
            ("ＣＡＳＩＮＯ", "casino"),
            ("𝐜𝐚𝐬𝐢𝐧𝐨", "casino"),
            ("𝕮𝖆𝖘𝖎𝖓𝖔", "casino"),
            ("ⓒⓐⓢⓘⓝⓞ", "casino"),
            ("ⒸⒶⓈⒾⓃⓄ", "casino"),
            ("ｶﾀｶﾅ", "カタカナ"),
            ("ﬁnance", "finance"),
            ("FREE\u{00A0}MONEY", "free money"),
            ("ᴄᴀsɪɴᴏ", "casino"),
            ("ꜰʀᴇᴇ", "free"),
        ]
    )
    func compatibilityForms(text: String, expected: String) {
        #expect(TextFolding.matchingForm(text) == expected)
    }

    @Test(
        "invisible characters are removed",
        arguments: [
            ("ca\u{200B}sino", "casino"),
            ("ca\u{00AD}si\u{00AD}no", "casino"),
            ("\u{FEFF}casino", "casino"),
            ("c\u{200C}a\u{200D}s\u{2060}i\u{180E}n\u{034F}o", "casino"),
            ("\u{202E}casino\u{202C}", "casino"),
            ("\u{2066}ca\u{2069}sino", "casino"),
            ("ca\u{FE0F}si\u{E0101}no", "casino"),
            ("cas\u{E0041}ino", "casino"),
            ("c\u{200B}4\u{200B}sino", "casino"),
        ]
    )
    func invisibles(text: String, expected: String) {
        #expect(TextFolding.matchingForm(text) == expected)
    }

    @Test(
        "look-alikes fold inside words that contain Latin letters",
        arguments: [
            ("\u{0441}asino", "casino"),
            ("\u{0421}ASINO", "casino"),
            ("b\u{0456}t\u{0441}\u{043E}in", "bitcoin"),
            ("\u{0412}ANK", "bank"),
            ("\u{0397}OT deals", "hot deals"),
            ("vi\u{03B1}gr\u{03B1}", "viagra"),
            ("\u{0455}pam \u{0441}ash", "spam cash"),
            ("\u{051D}in \u{0501}aily", "win daily"),
            ("\u{0441}4sino", "casino"),
            ("g\u{0585}\u{0585}d", "good"),
        ]
    )
    func confusables(text: String, expected: String) {
        #expect(TextFolding.matchingForm(text) == expected)
    }

    @Test(
        "text in other scripts keeps its letters and is only lowercased",
        arguments: [
            ("привет", "привет"),
            ("Привет, мир! Скоро выходные", "привет, мир! скоро выходные"),
            ("Καλημέρα κόσμε", "καλημέρα κόσμε"),
            ("ΑΒΓ", "αβγ"),
            ("画像が貼れなかったのでメンションだけします", "画像が貼れなかったのでメンションだけします"),
            ("مرحبا بالعالم", "مرحبا بالعالم"),
            ("שלום עולם", "שלום עולם"),
            ("Straße", "straße"),
            ("Crème brûlée", "crème brûlée"),
            ("сайт casino", "сайт casino"),
            ("ООО 2024", "ооо 2024"),
            ("نمی\u{200C}خواهم", "نمیخواهم"),
        ]
    )
    func otherScripts(text: String, expected: String) {
        #expect(TextFolding.matchingForm(text) == expected)
    }

    @Test(
        "leetspeak folds between and after letters",
        arguments: [
            ("c4sino", "casino"),
            ("fr33", "free"),
            ("FR33 M0N3Y", "free money"),
            ("v1agra", "viagra"),
            ("hell0 w0rld", "hello world"),
            ("h3ll0w0rld", "helloworld"),
            ("ca$h", "cash"),
            ("v@lium", "valium"),
            ("l33t", "leet"),
            ("fr33!", "free!"),
            ("s3x.", "sex."),
            ("mp3", "mpe"),
            ("http://c4sino.example/x", "http://casino.example/x"),
            ("c4sino2024", "casino2024"),
            ("c\u{0301}4sino", "\u{0107}asino"),
            ("ｃ４ｓｉｎｏ", "casino"),
        ]
    )
    func leetspeak(text: String, expected: String) {
        #expect(TextFolding.matchingForm(text) == expected)
    }

    @Test(
        "numbers, prices, mentions and addresses keep their digits and symbols",
        arguments: [
            "2024",
            "10 mentions",
            "$5",
            "us$5",
            "r$10",
            "@alice",
            "@alice@example.social",
            "alice@example.social",
            "a@b.com",
            "ab12",
            "covid19",
            "4k",
            "3rd",
            "1337",
            "$$$",
            "\u{043F}\u{0440}1\u{0432}\u{0435}\u{0442}",
        ]
    )
    func leetspeakLeftAlone(text: String) {
        #expect(TextFolding.matchingForm(text) == text)
    }

    @Test(
        "emoji sequences survive",
        arguments: [
            "👩\u{200D}💻",
            "👨\u{200D}👩\u{200D}👧\u{200D}👦",
            "❤\u{FE0F}",
            "🏳\u{FE0F}\u{200D}🌈",
            "👍🏽",
            "🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}",
            "🇫🇷 free",
        ]
    )
    func emoji(text: String) {
        #expect(TextFolding.matchingForm(text) == text)
        #expect(TextFolding.removingInvisibles(text) == text)
    }

    @Test(
        "joiners and selectors next to letters are removed",
        arguments: [
            ("ca\u{200D}sino", "casino"),
            ("casino\u{200D}🎰", "casino🎰"),
            ("🎰\u{200D}casino", "🎰casino"),
            ("a\u{FE0F}", "a"),
        ]
    )
    func joinersOutsideEmoji(text: String, expected: String) {
        #expect(TextFolding.removingInvisibles(text) == expected)
    }

    @Test("removingInvisibles keeps everything else as it is")
    func removingInvisiblesKeepsText() {
        #expect(TextFolding.removingInvisibles("C4SINO") == "C4SINO")
        #expect(TextFolding.removingInvisibles("ＣＡ\u{200B}ＳＩＮＯ") == "ＣＡＳＩＮＯ")
        #expect(TextFolding.removingInvisibles("\u{200B}\u{FEFF}") == "")
    }

    @Test("whitespace is kept, not collapsed")
    func whitespace() {
        #expect(TextFolding.matchingForm("A  b\n\tc\r\nd") == "a  b\n\tc\r\nd")
        #expect(TextFolding.matchingForm("А  b\u{2028}c") == "а  b\u{2028}c")
        #expect(TextFolding.matchingForm("") == "")
        #expect(TextFolding.matchingForm("\u{200B}") == "")
    }

    /// Folding skips NFKC for scalars it knows NFKC leaves alone; this checks that knowledge against Foundation.
    @Test(
        "the matching form does not change when the text is normalised first",
        arguments: [
            0xA0...0x6FF, 0x2000...0x2BFF, 0x3000...0x30FF, 0x4E00...0x4EFF, 0xAC00...0xACFF, 0xFE00...0xFE0F,
            0x1F100...0x1FAFF,
        ]
    )
    func skippedNormalization(scalars: ClosedRange<UInt32>) {
        for value in scalars {
            guard let scalar = Unicode.Scalar(value) else { continue }
            for text in [String(scalar), "e" + String(scalar), "\u{1100}" + String(scalar)] {
                let normalized = text.precomposedStringWithCompatibilityMapping
                #expect(
                    TextFolding.matchingForm(text) == TextFolding.matchingForm(normalized),
                    "U+\(String(value, radix: 16, uppercase: true))"
                )
            }
        }
    }

    @Test(
        "isASCII",
        arguments: [
            ("", true),
            ("plain text", true),
            ("a longer plain ASCII text spanning several words", true),
            ("café", false),
            ("a longer text that ends in a non-ASCII letter: é", false),
            ("🎰 at the start of a longer text", false),
        ]
    )
    func isASCII(text: String, expected: Bool) {
        #expect(TextFolding.isASCII(text) == expected)
    }

    /// Text with no Latin letter, digit, `@` or `$` has nothing to unconfuse or de-leet: its matching form is
    /// NFKC without invisibles, lowercased. Random mixes of one-, two-, three- and four-byte scalars, scalars
    /// whose lowercase is longer in UTF-8, NFKC-changing ones and invisibles check the byte-level decoding and
    /// encoding against Foundation's.
    @Test func nonLatinTextFoldsLikeFoundationLowercasesIt() {
        let pool: [String] = [
            "Д", "ж", "Щ", "Ω", "ω", "Ψ", "ά", "あ", "カ", "漢", "한", "😀", "👩\u{200D}💻", "❤\u{FE0F}", "\u{200B}",
            "\u{00AD}", " ", "\n", "-", "!", "𐐀", "𐐨", "Ꙁ", "ꙁ", "Ϊ", "ﾊﾟ", "㍿", "·", "—", "㌔",
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let text = (0..<Int.random(in: 1...40, using: &generator)).map { _ in pool.randomElement(using: &generator)! }
                .joined()
            let expected = TextFolding.removingInvisibles(text.precomposedStringWithCompatibilityMapping).lowercased()
            #expect(TextFolding.matchingForm(text) == expected, "\(Array(text.unicodeScalars.map(\.value)))")
        }
    }

    /// Folding a chunk between whitespace at a time must give exactly what folding the whole text at once
    /// gives, on text that mixes ASCII words, leetspeak, addresses, look-alike letters, emoji sequences,
    /// invisibles and other scripts.
    @Test func foldingByChunksEqualsFoldingTheWholeText() {
        let pool: [String] = [
            "Casino", "c4sino", "FR33", "v1agra", "ca$h", "@alice", "alice@example.social", "m0n3y", "2024", "mp3",
            "сasino", "Ｃａｓｉｎｏ", "𝐜𝐚𝐬𝐢𝐧𝐨", "ca\u{200B}sino", "ca\u{200D}sino", "👩\u{200D}💻", "❤\u{FE0F}", "😀",
            "привет", "İstanbul", "ΣΟΦΙΑ", "荒らし", "한국", " ", "  ", "\n", "\t", ".", ",", "!", "-", "p4y", "0day",
            "h3llo.", "ab12", "\u{00AD}", "x\u{0301}", "Ⅻ", "①",
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let text = (0..<Int.random(in: 1...30, using: &generator)).map { _ in pool.randomElement(using: &generator)! }
                .joined()
            #expect(TextFolding.matchingForm(text) == TextFolding.wholeTextMatchingForm(text), "\(text.debugDescription)")
        }
    }
}
