import Matching

/// Builds the UTF-8 of ``CampaignText/normalize(_:)`` from folded text in one pass.
struct CampaignTextScanner {
    private enum Token {
        case none
        case word
        case unspaced
    }

    private let input: UnsafeBufferPointer<UInt8>
    private let output: UnsafeMutableBufferPointer<UInt8>
    private var outputCount = 0
    private var position = 0
    private var token = Token.none
    private var tokenStart = 0
    private var tokenHasDigit = false
    private var previous = ScalarClass.other

    /// The most output `input` can produce: a one-digit word becomes `⟨n⟩` (5 bytes) and a space, and needs a
    /// separator byte before the next number, so output is at most three times the input, plus the bytes a
    /// trailing number adds.
    static func outputCapacity(forInputCount count: Int) -> Int { 3 * count + 8 }

    /// Scans `input` into `output`, which must hold ``outputCapacity(forInputCount:)`` bytes.
    init(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) {
        precondition(output.count >= Self.outputCapacity(forInputCount: input.count))
        self.input = input
        self.output = output
    }

    /// Normalises the input and returns the number of bytes written.
    mutating func normalize() -> Int {
        while position < input.count {
            if token == .word, input[position] &- 0x61 < 26 {
                copyLowercaseRun()
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
        return outputCount
    }

    private mutating func append(_ byte: UInt8) {
        precondition(outputCount < output.count)
        output[outputCount] = byte
        outputCount += 1
    }

    private mutating func append(_ bytes: [UInt8]) {
        for byte in bytes { append(byte) }
    }

    /// Appends the current scalar.
    private mutating func copy(_ length: Int) {
        for index in position..<position + length { append(input[index]) }
    }

    /// Appends the run of ASCII lowercase letters at the current position: most of most posts.
    private mutating func copyLowercaseRun() {
        var end = position
        while end < input.count, input[end] &- 0x61 < 26 { end += 1 }
        precondition(outputCount + end - position <= output.count)
        for index in position..<end {
            output[outputCount] = input[index]
            outputCount += 1
        }
        previous = .spacedLetter
        position = end
    }

    private func nextClass(after length: Int) -> ScalarClass {
        guard position + length < input.count else { return .other }
        return ScalarClass(UTF8Scalar.decode(input, at: position + length).value)
    }

    private mutating func begin(_ kind: Token) {
        endToken()
        if outputCount > 0 { append(0x20) }
        tokenStart = outputCount
        token = kind
        tokenHasDigit = false
    }

    private mutating func endToken() {
        if token == .word, tokenHasDigit {
            outputCount = tokenStart
            append(CampaignText.numberToken)
        }
        token = .none
        previous = .other
    }

    private mutating func appendURLToken() {
        endToken()
        if outputCount > 0 { append(0x20) }
        append(CampaignText.urlToken)
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
            let (value, length) = UTF8Scalar.decode(input, at: position)
            guard predicate(value) else { return }
            position += length
        }
    }
}
