import Foundation

/// Folds text into its *matching form*: the form rules match against by default, so that a rule written as
/// `casino` also catches `ＣＡＳＩＮＯ`, `𝐜𝐚𝐬𝐢𝐧𝐨`, `ⓒⓐⓢⓘⓝⓞ`, `ca\u{200B}sino`, `сasino` (Cyrillic `с`) and `c4sino`.
///
/// The steps, in order:
/// 1. Unicode NFKC, which maps fullwidth, mathematical, circled and halfwidth forms to their plain letters
///    (and no-break or ideographic spaces to U+0020). Whitespace is never collapsed.
/// 2. Invisible format characters are removed (see ``removingInvisibles(_:)``).
/// 3. In words that contain a Latin letter, look-alike letters from other scripts are replaced by the Latin
///    letter they imitate. Words wholly in another script keep every letter: `привет` stays `привет`.
/// 4. In words that contain a Latin letter, digits and symbols standing for letters are replaced (leetspeak):
///    `0→o 1→i 3→e 4→a 5→s 7→t @→a $→s`. A run of them is replaced only when a Latin letter precedes it and
///    either a Latin letter follows it (`c4sino`, `v1agra`, `m0n3y`, `ca$h`, `v@lium`) or it ends the word
///    and is all digits (`fr33` → `free`, `hell0` → `hello`, and also `mp3` → `mpe`). A run is never replaced
///    at the start of a word (`@alice`, `4k`, `3rd`, `$5`), in a word without letters (`2024`, `10`), before
///    a digit it does not replace (`ab12`, `covid19`), or when it contains a symbol and ends the word (`us$`,
///    `r$10`). An `@` stays when its word is followed by `.` and a letter or digit, as in
///    `alice@example.social`.
/// 5. Lowercasing (not full case folding: `ß` stays `ß`, so a rule wanting both spellings says `(ß|ss)`).
///
/// A word is a run of letters, combining marks, decimal digits, `@` and `$`.
public enum TextFolding {
    /// The matching form of `text`; see ``TextFolding`` for the steps.
    public static func matchingForm(_ text: String) -> String {
        if text.isEmpty { return text }
        var text = text
        text.makeContiguousUTF8()
        return text.utf8.withContiguousStorageIfAvailable { bytes in
            if ByteWords.isASCII(bytes) { return asciiMatchingForm(bytes) }
            guard isNFKCInert(bytes: bytes) else {
                var normalized = text.precomposedStringWithCompatibilityMapping
                normalized.makeContiguousUTF8()
                return normalized.utf8.withContiguousStorageIfAvailable(foldByChunks)!
            }
            return foldByChunks(bytes)
        }!
    }

    /// The matching form computed over the whole text at once, as ``matchingForm(_:)`` did before it worked a
    /// chunk at a time; tests compare the two.
    static func wholeTextMatchingForm(_ text: String) -> String {
        if text.isEmpty { return text }
        var units = normalizedScalarValues(of: text)
        removeInvisibles(&units)
        units.withUnsafeMutableBufferPointer { units in
            foldConfusables(units)
            foldLeetspeak(units)
        }
        return String(unsafeUninitializedCapacity: units.count * 4) { output in
            units.withUnsafeBufferPointer { encodeLowercased($0, into: output, at: 0) }
        }
    }

    /// Folds NFKC UTF-8 `bytes` one chunk between ASCII whitespace at a time. No step looks across whitespace
    /// (words, emoji sequences and leetspeak runs all end there), so this is the whole-text result; but chunks of
    /// plain ASCII, most of a post with one emoji in it, take the byte path together: lowercased as they are
    /// copied, and leetspeak folded over the whole run of them at once, eight bytes at a time.
    private static func foldByChunks(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        // A scalar's lowercase mapping takes at most four UTF-8 bytes (see `encodeLowercased`).
        String(unsafeUninitializedCapacity: MatchSpan.codePoints(in: bytes) * 4) { output in
            var count = 0
            var start = 0
            // Where the run of ASCII chunks being copied starts in `output`.
            var asciiRunStart = 0
            var scratch: [UInt32] = []
            while start < bytes.count {
                if isChunkSeparator(bytes[start]) {
                    output[count] = bytes[start]
                    count += 1
                    start += 1
                    continue
                }
                var end = start
                var ascii = true
                while end < bytes.count, !isChunkSeparator(bytes[end]) {
                    ascii = ascii && bytes[end] < 0x80
                    end += 1
                }
                if ascii {
                    for index in start..<end {
                        let byte = bytes[index]
                        output[count] = lowercasedASCII(byte)
                        count += 1
                    }
                } else {
                    foldLeetspeak(bytes: UnsafeMutableBufferPointer(rebasing: output[asciiRunStart..<count]))
                    decodeScalarValues(UnsafeBufferPointer(rebasing: bytes[start..<end]), into: &scratch)
                    removeInvisibles(&scratch)
                    scratch.withUnsafeMutableBufferPointer { chunk in
                        foldConfusables(chunk)
                        foldLeetspeak(chunk)
                    }
                    count = scratch.withUnsafeBufferPointer { encodeLowercased($0, into: output, at: count) }
                    asciiRunStart = count
                }
                start = end
            }
            foldLeetspeak(bytes: UnsafeMutableBufferPointer(rebasing: output[asciiRunStart..<count]))
            return count
        }
    }

    /// An ASCII byte with `A`–`Z` lowercased.
    @inline(__always)
    private static func lowercasedASCII(_ byte: UInt8) -> UInt8 {
        byte &- 0x41 < 26 ? byte | 0x20 : byte
    }

    @inline(__always)
    private static func isChunkSeparator(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D || byte == 0x0C
    }

    /// `text` without invisible format characters: zero-width spaces and joiners, bidirectional controls,
    /// word joiners and invisible operators, the byte-order mark, the soft hyphen, U+180E, U+034F, variation
    /// selectors and tag characters.
    ///
    /// Emoji sequences survive: a variation selector or tag character right after an emoji, and a zero-width
    /// joiner between two emoji, are kept, so `👩‍💻` and `❤️` are unchanged while `ca\u{200D}sino` loses
    /// its joiner.
    public static func removingInvisibles(_ text: String) -> String {
        if isASCII(text) { return text }
        var units = scalarValues(of: text)
        removeInvisibles(&units)
        if units.count == text.unicodeScalars.count { return text }
        return units.withUnsafeBufferPointer(string(fromScalarValues:))
    }

    /// Whether every character of `text` is ASCII, checked eight UTF-8 bytes at a time.
    public static func isASCII(_ text: String) -> Bool {
        if let result = text.utf8.withContiguousStorageIfAvailable(ByteWords.isASCII) { return result }
        return text.utf8.allSatisfy { $0 < 0x80 }
    }
}

// MARK: - ASCII

extension TextFolding {
    /// ASCII is its own NFKC and has no invisibles or confusables, so only lowercasing and leetspeak remain.
    private static func asciiMatchingForm(_ input: UnsafeBufferPointer<UInt8>) -> String {
        String(unsafeUninitializedCapacity: input.count) { output in
            for index in 0..<input.count {
                let byte = input[index]
                output[index] = lowercasedASCII(byte)
            }
            foldLeetspeak(bytes: UnsafeMutableBufferPointer(rebasing: output[0..<input.count]))
            return input.count
        }
    }
}

// MARK: - Normalization

extension TextFolding {
    /// The scalar values of `text` in NFKC: decoded as they are when every scalar is NFKC-inert, which is the
    /// common case, and from Foundation's NFKC otherwise.
    private static func normalizedScalarValues(of text: String) -> [UInt32] {
        let units = scalarValues(of: text)
        guard units.contains(where: { !isNFKCInert($0) }) else { return units }
        return scalarValues(of: text.precomposedStringWithCompatibilityMapping)
    }

    /// Whether every scalar of valid UTF-8 `bytes` is NFKC-inert; ASCII is skipped eight bytes at a time.
    private static func isNFKCInert(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        var index = 0
        while index < bytes.count {
            if index + 8 <= bytes.count, raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & ByteWords.highBits == 0 {
                index += 8
                continue
            }
            let (value, length) = UTF8Scalar.decode(bytes, at: index)
            if !isNFKCInert(value) { return false }
            index += length
        }
        return true
    }

    /// Scalars that NFKC maps to themselves and that never combine with a neighbour. Most non-ASCII text in
    /// posts (accented Latin, Greek, Cyrillic, Hebrew, Arabic letters, kana, CJK, Hangul syllables, quotes and
    /// dashes, emoji) is already NFKC, and Foundation's NFKC is the slowest step, so it runs only when some
    /// scalar is outside these ranges.
    private static func isNFKCInert(_ value: UInt32) -> Bool {
        switch value {
        case 0x00...0x7F, 0xA1...0xA7, 0xA9, 0xAB...0xAE, 0xB0...0xB1, 0xB6...0xB7, 0xBB, 0xBF...0x131,
            0x134...0x13E, 0x141...0x148, 0x14A...0x17E, 0x388...0x3CF, 0x400...0x482, 0x48A...0x52F,
            0x5D0...0x5EA, 0x61B...0x64A, 0x660...0x66F, 0x679...0x6D5, 0x200B...0x2010, 0x2012...0x2016,
            0x2018...0x2023, 0x2027...0x202E, 0x2030...0x2032, 0x2190...0x222B, 0x2300...0x2328, 0x2500...0x27FF,
            0x2B00...0x2B73, 0x3001...0x3029, 0x303B...0x3098, 0x30A0...0x30FE, 0x3400...0x4DBF, 0x4E00...0x9FFF,
            0xAC00...0xD7A3, 0xFE00...0xFE0F, 0x1F1E6...0x1F1FF, 0x1F300...0x1FAFF, 0xE0020...0xE007F:
            return true
        default:
            return false
        }
    }
}

// MARK: - Invisibles

extension TextFolding {
    private static func isInvisible(_ value: UInt32) -> Bool {
        switch value {
        case 0x00AD, 0x034F, 0x061C, 0x180E, 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x2064, 0x2066...0x2069,
            0xFE00...0xFE0F, 0xFEFF, 0xE0000...0xE007F, 0xE0100...0xE01EF:
            return true
        default:
            return false
        }
    }

    private static func isNonASCIIEmoji(_ value: UInt32) -> Bool {
        value >= 0x80 && Unicode.Scalar(value)?.properties.isEmoji == true
    }

    /// The scalar values of `text`, decoded straight from its UTF-8 (which a `String` guarantees is valid).
    private static func scalarValues(of text: String) -> [UInt32] {
        var text = text
        var units: [UInt32] = []
        text.withUTF8 { decodeScalarValues($0, into: &units) }
        return units
    }

    /// Replaces the contents of `units` with the scalar values of valid UTF-8 `bytes`.
    private static func decodeScalarValues(_ bytes: UnsafeBufferPointer<UInt8>, into units: inout [UInt32]) {
        units.removeAll(keepingCapacity: true)
        units.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let (value, length) = UTF8Scalar.decode(bytes, at: index)
            units.append(value)
            index += length
        }
    }

    /// Removes invisibles from `units`, keeping those that belong to emoji sequences.
    private static func removeInvisibles(_ units: inout [UInt32]) {
        var kept = 0
        for index in units.indices {
            let value = units[index]
            if isInvisible(value) {
                // Invisibles are kept only inside emoji sequences, so a kept one means the sequence goes on.
                let followsEmoji = kept > 0 && (isInvisible(units[kept - 1]) || isNonASCIIEmoji(units[kept - 1]))
                let belongsToEmoji: Bool
                switch value {
                case 0x200D:
                    belongsToEmoji = followsEmoji && index + 1 < units.count && isNonASCIIEmoji(units[index + 1])
                case 0xFE0E, 0xFE0F, 0xE0020...0xE007F:
                    belongsToEmoji = followsEmoji
                default:
                    belongsToEmoji = false
                }
                guard belongsToEmoji else { continue }
            }
            units[kept] = value
            kept += 1
        }
        units.removeSubrange(kept...)
    }

    private static func string(fromScalarValues units: UnsafeBufferPointer<UInt32>) -> String {
        String(unsafeUninitializedCapacity: units.count * 4) { output in
            var count = 0
            for value in units {
                guard let scalar = Unicode.Scalar(value) else { continue }
                UTF8.encode(scalar) { byte in
                    output[count] = byte
                    count += 1
                }
            }
            return count
        }
    }

    /// Lowercases `units` while encoding them into `output` from `start`, and returns the end; faster than
    /// `String.lowercased()` on the encoded text. A scalar's lowercase mapping takes at most four UTF-8 bytes
    /// (U+0130 takes three), so four bytes per unit always suffice.
    private static func encodeLowercased(
        _ units: UnsafeBufferPointer<UInt32>, into output: UnsafeMutableBufferPointer<UInt8>, at start: Int
    ) -> Int {
        var count = start
        func append(_ scalar: Unicode.Scalar) {
            UTF8.encode(scalar) { byte in
                output[count] = byte
                count += 1
            }
        }
        for value in units {
            if value < 0x80 {
                output[count] = lowercasedASCII(UInt8(truncatingIfNeeded: value))
                count += 1
                continue
            }
            switch value {
            case 0x0400...0x040F, 0x0410...0x042F:
                append(Unicode.Scalar(value < 0x0410 ? value + 0x50 : value + 0x20)!)
                continue
            case 0x0430...0x045F, 0x0590...0x06FF, 0x3040...0xA63F, 0xAC00...0xD7FF, 0x1F000...0x1FAFF:
                append(Unicode.Scalar(value)!)
                continue
            default:
                break
            }
            guard let scalar = Unicode.Scalar(value) else { continue }
            if scalar.properties.changesWhenLowercased {
                for lowered in scalar.properties.lowercaseMapping.unicodeScalars { append(lowered) }
            } else {
                append(scalar)
            }
        }
        return count
    }
}

// MARK: - Words, confusables and leetspeak

extension TextFolding {
    @inline(__always)
    private static func isLatinLetter(_ value: UInt32) -> Bool {
        value < 0x80 ? (value | 0x20) &- 0x61 < 26 : isNonASCIILatinLetter(value)
    }

    private static func isNonASCIILatinLetter(_ value: UInt32) -> Bool {
        switch value {
        case 0xC0...0xD6, 0xD8...0xF6, 0xF8...0x2AF, 0x1D00...0x1D25, 0x1E00...0x1EFF, 0x2C60...0x2C7F,
            0xA722...0xA7FF:
            return true
        default:
            return false
        }
    }

    @inline(__always)
    private static func isWordPart(_ value: UInt32) -> Bool {
        guard value < 0x80 else { return isNonASCIIWordPart(value) }
        return (value | 0x20) &- 0x61 < 26 || value &- 0x30 < 10 || value == 0x40 || value == 0x24
    }

    @inline(never)
    private static func isNonASCIIWordPart(_ value: UInt32) -> Bool {
        switch value {
        // Latin, Greek, Cyrillic, Hebrew, Arabic, kana, CJK and Hangul letters, without a property lookup.
        case 0xC0...0xD6, 0xD8...0xF6, 0xF8...0x2AF, 0x386...0x3F5, 0x400...0x52F, 0x5D0...0x5EA, 0x620...0x669,
            0x3041...0x3096, 0x30A1...0x30FA, 0x4E00...0x9FFF, 0xAC00...0xD7A3:
            return true
        default:
            break
        }
        if isNonASCIILatinLetter(value) { return true }
        guard let properties = Unicode.Scalar(value)?.properties else { return false }
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber: return true
        default: return properties.isAlphabetic
        }
    }

    @inline(__always)
    private static func leetLetter(_ value: UInt32) -> UInt8? {
        switch value {
        case 0x30: UInt8(ascii: "o")
        case 0x31: UInt8(ascii: "i")
        case 0x33: UInt8(ascii: "e")
        case 0x34, 0x40: UInt8(ascii: "a")
        case 0x35, 0x24: UInt8(ascii: "s")
        case 0x37: UInt8(ascii: "t")
        default: nil
        }
    }

    /// Replaces look-alike letters in every word of `units` that contains a Latin letter.
    private static func foldConfusables(_ units: UnsafeMutableBufferPointer<UInt32>) {
        var index = 0
        while index < units.count {
            guard isWordPart(units[index]) else {
                index += 1
                continue
            }
            let start = index
            var hasLatin = false
            var hasNonASCII = false
            while index < units.count, isWordPart(units[index]) {
                hasLatin = hasLatin || isLatinLetter(units[index])
                hasNonASCII = hasNonASCII || units[index] >= 0x80
                index += 1
            }
            guard hasLatin, hasNonASCII else { continue }
            for position in start..<index where units[position] >= 0x80 {
                if let letter = Confusables.latinLookalike(of: units[position]) {
                    units[position] = UInt32(letter)
                }
            }
        }
    }

    /// Replaces runs of leetspeak digits and symbols in `units`.
    private static func foldLeetspeak(_ units: UnsafeMutableBufferPointer<UInt32>) {
        var index = 0
        while index < units.count {
            if leetLetter(units[index]) != nil {
                index = foldLeetspeakRun(units, startingAt: index)
            } else {
                index += 1
            }
        }
    }

    /// Replaces runs of leetspeak digits and symbols in ASCII `bytes`, skipping eight bytes at a time while
    /// none of them is a digit from 0 to 7, `@` or `$`.
    private static func foldLeetspeak(bytes: UnsafeMutableBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else { return }
        let raw = UnsafeRawPointer(base)
        var index = 0
        while index < bytes.count {
            if index + 8 <= bytes.count {
                let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                if !ByteWords.hasZeroByte((word & 0xF8F8_F8F8_F8F8_F8F8) ^ 0x3030_3030_3030_3030),
                    !ByteWords.hasZeroByte(word ^ 0x2424_2424_2424_2424), !ByteWords.hasZeroByte(word ^ 0x4040_4040_4040_4040)
                {
                    index += 8
                    continue
                }
            }
            if leetLetter(UInt32(bytes[index])) != nil {
                index = foldLeetspeakRun(bytes, startingAt: index)
            } else {
                index += 1
            }
        }
    }

    /// Replaces the run of leetspeak characters starting at `runStart` when the rules allow, and returns the
    /// index after the run.
    ///
    /// A run that follows a Latin letter lies inside a word with a Latin letter, so no word scan is needed
    /// except to tell whether an `@` belongs to an address.
    private static func foldLeetspeakRun<Unit: FixedWidthInteger & UnsignedInteger>(
        _ units: UnsafeMutableBufferPointer<Unit>,
        startingAt runStart: Int
    ) -> Int {
        let count = units.count
        var index = runStart
        var digitsOnly = true
        var hasAt = false
        while index < count, leetLetter(UInt32(truncatingIfNeeded: units[index])) != nil {
            digitsOnly = digitsOnly && units[index] != 0x40 && units[index] != 0x24
            hasAt = hasAt || units[index] == 0x40
            index += 1
        }
        guard runStart > 0, isLatinLetter(UInt32(truncatingIfNeeded: units[runStart - 1])) else { return index }
        let next = index < count ? UInt32(truncatingIfNeeded: units[index]) : nil
        let replaces: Bool
        if let next, isWordPart(next) {
            replaces = isLatinLetter(next)
        } else {
            replaces = digitsOnly
        }
        guard replaces else { return index }
        let keepsAt = hasAt && isInAddress(units, wordContinuingAt: index)
        for position in runStart..<index where !(keepsAt && units[position] == 0x40) {
            units[position] = Unit(leetLetter(UInt32(truncatingIfNeeded: units[position]))!)
        }
        return index
    }

    /// Whether the word continuing at `index` is followed by `.` and a word character, as in a domain.
    private static func isInAddress<Unit: FixedWidthInteger & UnsignedInteger>(
        _ units: UnsafeMutableBufferPointer<Unit>,
        wordContinuingAt index: Int
    ) -> Bool {
        var end = index
        while end < units.count, isWordPart(UInt32(truncatingIfNeeded: units[end])) { end += 1 }
        return end + 1 < units.count && units[end] == 0x2E && isWordPart(UInt32(truncatingIfNeeded: units[end + 1]))
    }
}
