/// Whether a post's text says nothing but mentions and links (`text.only_mentions`).
///
/// Mention blasts (the October 2024 ten-mention wave, the November 2024 QR-code images) carry no sentence: the
/// words are all `@handles`, perhaps with a link, and what they want to say is in an image or behind the link.
/// Any word, in any script, makes the text more than mentions: `@a@x.example 画像が貼れなかったので…` has a sentence
/// (the February 2024 variant did), and so has `@bob thanks!`. Hashtags are words too. Punctuation, symbols and
/// emoji are not. Takes time linear in the text.
enum MentionOnlyText {
    /// - Parameters:
    ///   - text: the post's plain text (content).
    ///   - linkTexts: the visible texts of the content's link anchors, which may not look like URLs
    ///     (`example.com/long…`); a word equal to one of them is part of a link.
    ///   - mentionTags: the post's `Mention` tags; a post with no mention in its tags or its text is not a
    ///     mention-only post, whatever else it is.
    static func isOnlyMentions(_ text: String, linkTexts: [Substring], mentionTags: Int) -> Bool {
        var mentions = mentionTags
        // Hashed only if a word needs looking up: most posts are decided by a first word that is a real word.
        var linkSet: Set<Substring>?
        func isLinkText(_ word: Substring) -> Bool {
            if linkTexts.isEmpty { return false }
            if linkSet == nil { linkSet = Set(linkTexts) }
            return linkSet!.contains(word)
        }
        // Word by word, stopping at the first real word: most posts are decided by their first one.
        let scalars = text.unicodeScalars
        var index = scalars.startIndex
        while true {
            while index < scalars.endIndex, isWhitespace(scalars[index]) { index = scalars.index(after: index) }
            guard index < scalars.endIndex else { break }
            let start = index
            while index < scalars.endIndex, !isWhitespace(scalars[index]) { index = scalars.index(after: index) }
            let word = Substring(scalars[start..<index])
            switch kind(of: word) {
            case .mention: mentions += 1
            case .link, .noWords: continue
            case .words: if !isLinkText(word) { return false }
            }
        }
        return mentions > 0
    }

    private static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20, 0x09...0x0D: true
        case 0..<0x80: false
        default: scalar.properties.isWhitespace
        }
    }

    private enum Kind {
        case mention, link, noWords, words
    }

    /// What a word is, by itself; a `.words` word may still be the visible text of a link anchor.
    private static func kind(of word: Substring) -> Kind {
        let scalars = word.unicodeScalars
        // Opening punctuation around a handle or URL, like `(@bob` or `「https://…`.
        guard let start = scalars.firstIndex(where: { !isPunctuationOrSymbol($0) || $0 == "@" || $0 == "＠" }) else {
            return .noWords
        }
        let rest = scalars[start...]
        if rest.first == "@" || rest.first == "＠" {
            return mentionKind(rest.dropFirst())
        }
        let lowered = Substring(rest.prefix(8)).lowercased()
        if lowered.hasPrefix("http://") || lowered.hasPrefix("https://") { return .link }
        return rest.contains(where: isWordScalar) ? .words : .noWords
    }

    /// `user`, `user@host` or `user@host,`: a mention; `userこんにちは`: a handle run into a word.
    private static func mentionKind(_ afterAt: Substring.UnicodeScalarView.SubSequence) -> Kind {
        let username = afterAt.prefix { $0.isASCII && (isASCIIAlphanumeric($0) || $0 == "_" || $0 == "." || $0 == "-") }
        guard !username.isEmpty else { return afterAt.contains(where: isWordScalar) ? .words : .noWords }
        let tail = afterAt[username.endIndex...]
        if tail.first == "@" {
            // A host as servers write it in handles: ASCII (punycode for IDN). A Unicode host reads as words,
            // which can only keep a post from counting as mention-only.
            let host = tail.dropFirst().prefix { isASCIIAlphanumeric($0) || $0 == "." || $0 == "-" }
            let after = tail.dropFirst()[host.endIndex...]
            return after.contains(where: isWordScalar) ? .words : .mention
        }
        return tail.contains(where: isWordScalar) ? .words : .mention
    }

    private static func isASCIIAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        default: false
        }
    }

    /// A letter or a digit of any script.
    private static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return isASCIIAlphanumeric(scalar) }
        let properties = scalar.properties
        return properties.isAlphabetic || properties.numericType != nil
    }

    private static func isPunctuationOrSymbol(_ scalar: Unicode.Scalar) -> Bool {
        !isWordScalar(scalar)
    }
}
