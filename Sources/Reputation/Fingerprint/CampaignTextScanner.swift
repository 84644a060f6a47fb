/// Builds the UTF-8 of ``CampaignText/normalize(_:)`` from folded text in one pass.
struct CampaignTextScanner {
    private enum Token {
        case none
        case word
        case unspaced
    }

    private let input: UnsafeBufferPointer<UInt8>
    private var output: [UInt8] = []
    private var position = 0
    private var token = Token.none
    private var tokenStart = 0
    private var tokenHasDigit = false
    private var previous = ScalarClass.other

    init(_ input: UnsafeBufferPointer<UInt8>) {
        self.input = input
        output.reserveCapacity(input.count)
    }

    mutating func normalize() -> [UInt8] {
        while position < input.count {
            if token == .word, input[position] &- 0x61 < 26 {
                output.append(input[position])
                previous = .spacedLetter
                position += 1
                continue
            }
            let (value, length) = UTF8Scalar.decode(input, at: position)
            if token != .word, skipsLinkOrMention(startingWith: value) { continue }
            let scalarClass = ScalarClass(value)
            switch scalarClass {
            case .spacedLetter:
                if token != .word { begin(.word) }
                copy(length)
            case .digit:
                if token != .word { begin(.word) }
                tokenHasDigit = true
            case .unspacedLetter:
                if token != .unspaced { begin(.unspaced) }
                copy(length)
            case .mark:
                if token != .none { copy(length) }
            case .apostrophe where previous == .spacedLetter && nextClass(after: length) == .spacedLetter:
                position += length
                continue
            case .numberSeparator where previous == .digit && nextClass(after: length) == .digit:
                position += length
                continue
            case .apostrophe, .numberSeparator, .other:
                endToken()
            }
            previous = scalarClass
            position += length
        }
        endToken()
        return output
    }

    /// Appends the current scalar; appending bytes one by one is faster than appending a slice.
    @inline(__always)
    private mutating func copy(_ length: Int) {
        for index in position..<position + length { output.append(input[index]) }
    }

    private func nextClass(after length: Int) -> ScalarClass {
        guard position + length < input.count else { return .other }
        return ScalarClass(UTF8Scalar.decode(input, at: position + length).value)
    }

    private mutating func begin(_ kind: Token) {
        endToken()
        if !output.isEmpty { output.append(0x20) }
        tokenStart = output.count
        token = kind
        tokenHasDigit = false
    }

    private mutating func endToken() {
        if token == .word, tokenHasDigit {
            output.removeSubrange(tokenStart...)
            output.append(contentsOf: CampaignText.numberToken)
        }
        token = .none
        previous = .other
    }

    private mutating func appendURLToken() {
        endToken()
        if !output.isEmpty { output.append(0x20) }
        output.append(contentsOf: CampaignText.urlToken)
    }
}

// MARK: - Links and mentions

extension CampaignTextScanner {
    /// Skips a link (replaced by `⟨url⟩`) or a mention (removed) starting at the current position, outside a word.
    private mutating func skipsLinkOrMention(startingWith value: UInt32) -> Bool {
        switch value {
        case 0x40:  // @
            guard position + 1 < input.count, isMentionCharacter(UTF8Scalar.decode(input, at: position + 1).value)
            else { return false }
            endToken()
            position += 1
            skip(while: isMentionCharacter)
            return true
        case 0x30...0x39, 0x61...0x7A:
            if value == 0x68, let schemeLength = matchLength("https://") ?? matchLength("http://") {
                position += schemeLength
                skipHostAndPath()
            } else if let end = bareLinkEnd() {
                position = end
                skipPath()
            } else {
                return false
            }
            appendURLToken()
            return true
        default:
            return false
        }
    }

    private func matchLength(_ prefix: StaticString) -> Int? {
        let length = prefix.utf8CodeUnitCount
        guard position + length <= input.count else { return nil }
        for offset in 0..<length where input[position + offset] != prefix.utf8Start[offset] { return nil }
        return length
    }

    private func isMentionCharacter(_ value: UInt32) -> Bool {
        switch value {
        case 0x2D, 0x2E, 0x30...0x39, 0x40, 0x5F, 0x61...0x7A: true
        case 0..<0x80: false
        default: ScalarClass(value) == .spacedLetter
        }
    }

    /// A host may have letters of any script in its first label (`荒らし.com`), but only ASCII after a dot, so
    /// that a link followed directly by Japanese text ends where the text starts.
    private mutating func skipHostAndPath() {
        var afterDot = false
        skip { value in
            if value == 0x2E { afterDot = true }
            switch value {
            case 0x2D, 0x2E, 0x30...0x3A, 0x40, 0x5F, 0x61...0x7A: return true
            case 0..<0x80: return false
            default: return !afterDot && ScalarClass(value).isLetterOrMark
            }
        }
        skipPath()
    }

    /// Paths, queries and fragments run to the next space or non-ASCII character.
    private mutating func skipPath() {
        guard position < input.count, input[position] == 0x2F || input[position] == 0x3F || input[position] == 0x23
        else { return }
        while position < input.count, (0x21...0x7E).contains(input[position]) { position += 1 }
    }

    /// The end of `label.tld` at the current position when a `/` follows it, as in `discord.gg/abc`. The last
    /// label must be letters, so that `10.5/10` stays a number.
    private func bareLinkEnd() -> Int? {
        var end = position
        var dots = 0
        var labelLength = 0
        var labelIsLetters = true
        while end < input.count {
            switch input[end] {
            case 0x61...0x7A:
                labelLength += 1
            case 0x2D, 0x30...0x39:
                labelLength += 1
                labelIsLetters = false
            case 0x2E where labelLength > 0:
                dots += 1
                labelLength = 0
                labelIsLetters = true
            case 0x2F where dots > 0 && labelLength >= 2 && labelIsLetters:
                return end
            default:
                return nil
            }
            end += 1
        }
        return nil
    }

    private mutating func skip(while predicate: (UInt32) -> Bool) {
        while position < input.count {
            if token == .word, input[position] &- 0x61 < 26 {
                output.append(input[position])
                previous = .spacedLetter
                position += 1
                continue
            }
            let (value, length) = UTF8Scalar.decode(input, at: position)
            guard predicate(value) else { return }
            position += length
        }
    }
}
