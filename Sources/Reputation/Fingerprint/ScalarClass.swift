/// What a Unicode scalar is to campaign-text normalisation and shingling.
enum ScalarClass: Equatable {
    /// A letter of a script that separates words with spaces: Latin, Cyrillic, Greek, Hangul, Arabic, ….
    case spacedLetter
    /// A letter of a script written without spaces, shingled by characters: Han, kana, Thai, Lao, Khmer, Myanmar.
    case unspacedLetter
    case digit
    /// A combining mark, which belongs to the letter before it.
    case mark
    /// `'` or `’`, removed between letters.
    case apostrophe
    /// `,` `.` `:` `/`, removed between digits so that `1,000` and `10:30` are one number.
    case numberSeparator
    case other

    init(_ value: UInt32) {
        switch value {
        case 0x61...0x7A, 0x41...0x5A: self = .spacedLetter
        case 0x30...0x39: self = .digit
        case 0x27, 0x2019: self = .apostrophe
        case 0x2C, 0x2E, 0x2F, 0x3A: self = .numberSeparator
        case 0..<0x80: self = .other
        case 0xC0...0xD6, 0xD8...0xF6, 0xF8...0x24F, 0x400...0x481, 0x48A...0x52F, 0xAC00...0xD7A3:
            self = .spacedLetter
        case 0x3041...0x3096, 0x30A1...0x30FA, 0x30FC...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF:
            self = .unspacedLetter
        default:
            self = Self(properties: value)
        }
    }

    private init(properties value: UInt32) {
        guard let properties = Unicode.Scalar(value)?.properties else {
            self = .other
            return
        }
        switch properties.generalCategory {
        case .decimalNumber:
            self = .digit
        case .nonspacingMark, .spacingMark:
            self = .mark
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .letterNumber:
            self = Self.isUnspacedScript(value) ? .unspacedLetter : .spacedLetter
        default:
            self = .other
        }
    }

    var isLetterOrMark: Bool {
        self == .spacedLetter || self == .unspacedLetter || self == .mark
    }

    private static func isUnspacedScript(_ value: UInt32) -> Bool {
        switch value {
        case 0x0E00...0x0EFF, 0x1000...0x109F, 0x1780...0x17FF, 0x3005...0x3007, 0x3040...0x30FF, 0x3100...0x312F,
            0x31F0...0x31FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0xFF66...0xFF9F, 0x20000...0x3FFFF:
            true
        default:
            false
        }
    }
}
