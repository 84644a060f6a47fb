/// Character references: numeric forms and the named entities that appear in fediverse HTML.
enum HTMLEntities {
    /// Decodes the reference whose name or number lies between `&` and `;` (both excluded).
    static func decode(_ body: UnsafeBufferPointer<UInt8>) -> UInt32? {
        guard let first = body.first else { return nil }
        if first == UInt8(ascii: "#") {
            return decodeNumeric(UnsafeBufferPointer(rebasing: body[1...]))
        }
        guard body.count <= 32 else { return nil }
        return named[String(decoding: body, as: UTF8.self)]
    }

    /// Names that browsers also accept without a terminating `;`.
    static func decodeLegacy(_ body: UnsafeBufferPointer<UInt8>) -> UInt32? {
        switch String(decoding: body, as: UTF8.self) {
        case "amp": 0x26
        case "lt": 0x3C
        case "gt": 0x3E
        case "quot": 0x22
        case "nbsp": 0xA0
        default: nil
        }
    }

    private static func decodeNumeric(_ digits: UnsafeBufferPointer<UInt8>) -> UInt32? {
        guard let first = digits.first else { return nil }
        var radix: UInt32 = 10
        var start = 0
        if first | 0x20 == UInt8(ascii: "x") {
            radix = 16
            start = 1
        }
        guard digits.count > start else { return nil }
        var value: UInt32 = 0
        for byte in digits[start...] {
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f") where radix == 16: digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F") where radix == 16: digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
            value = min(value * radix + digit, 0x110000)
        }
        if (0x80...0x9F).contains(value), let mapped = windows1252[value] { return mapped }
        if value == 0 || value > 0x10FFFF || (0xD800...0xDFFF).contains(value) { return 0xFFFD }
        return value
    }

    /// HTML maps C1 control references to the Windows-1252 characters people meant.
    private static let windows1252: [UInt32: UInt32] = [
        0x80: 0x20AC, 0x82: 0x201A, 0x83: 0x0192, 0x84: 0x201E, 0x85: 0x2026, 0x86: 0x2020, 0x87: 0x2021,
        0x88: 0x02C6, 0x89: 0x2030, 0x8A: 0x0160, 0x8B: 0x2039, 0x8C: 0x0152, 0x8E: 0x017D, 0x91: 0x2018,
        0x92: 0x2019, 0x93: 0x201C, 0x94: 0x201D, 0x95: 0x2022, 0x96: 0x2013, 0x97: 0x2014, 0x98: 0x02DC,
        0x99: 0x2122, 0x9A: 0x0161, 0x9B: 0x203A, 0x9C: 0x0153, 0x9E: 0x017E, 0x9F: 0x0178,
    ]

    private static let named: [String: UInt32] = [
        "amp": 0x26, "lt": 0x3C, "gt": 0x3E, "quot": 0x22, "apos": 0x27, "nbsp": 0xA0,
        "ensp": 0x2002, "emsp": 0x2003, "thinsp": 0x2009, "zwnj": 0x200C, "zwj": 0x200D, "lrm": 0x200E,
        "rlm": 0x200F, "shy": 0xAD, "ndash": 0x2013, "mdash": 0x2014, "lsquo": 0x2018, "rsquo": 0x2019,
        "sbquo": 0x201A, "ldquo": 0x201C, "rdquo": 0x201D, "bdquo": 0x201E, "dagger": 0x2020, "Dagger": 0x2021,
        "bull": 0x2022, "hellip": 0x2026, "permil": 0x2030, "prime": 0x2032, "Prime": 0x2033, "lsaquo": 0x2039,
        "rsaquo": 0x203A, "oline": 0x203E, "frasl": 0x2044, "euro": 0x20AC, "trade": 0x2122, "larr": 0x2190,
        "uarr": 0x2191, "rarr": 0x2192, "darr": 0x2193, "harr": 0x2194, "rArr": 0x21D2, "lArr": 0x21D0,
        "hArr": 0x21D4, "iexcl": 0xA1, "cent": 0xA2, "pound": 0xA3, "curren": 0xA4, "yen": 0xA5, "brvbar": 0xA6,
        "sect": 0xA7, "uml": 0xA8, "copy": 0xA9, "ordf": 0xAA, "laquo": 0xAB, "not": 0xAC, "reg": 0xAE,
        "macr": 0xAF, "deg": 0xB0, "plusmn": 0xB1, "sup2": 0xB2, "sup3": 0xB3, "acute": 0xB4, "micro": 0xB5,
        "para": 0xB6, "middot": 0xB7, "cedil": 0xB8, "sup1": 0xB9, "ordm": 0xBA, "raquo": 0xBB, "frac14": 0xBC,
        "frac12": 0xBD, "frac34": 0xBE, "iquest": 0xBF, "times": 0xD7, "divide": 0xF7, "Agrave": 0xC0,
        "Aacute": 0xC1, "Acirc": 0xC2, "Atilde": 0xC3, "Auml": 0xC4, "Aring": 0xC5, "AElig": 0xC6, "Ccedil": 0xC7,
        "Egrave": 0xC8, "Eacute": 0xC9, "Ecirc": 0xCA, "Euml": 0xCB, "Igrave": 0xCC, "Iacute": 0xCD, "Icirc": 0xCE,
        "Iuml": 0xCF, "ETH": 0xD0, "Ntilde": 0xD1, "Ograve": 0xD2, "Oacute": 0xD3, "Ocirc": 0xD4, "Otilde": 0xD5,
        "Ouml": 0xD6, "Oslash": 0xD8, "Ugrave": 0xD9, "Uacute": 0xDA, "Ucirc": 0xDB, "Uuml": 0xDC, "Yacute": 0xDD,
        "THORN": 0xDE, "szlig": 0xDF, "agrave": 0xE0, "aacute": 0xE1, "acirc": 0xE2, "atilde": 0xE3, "auml": 0xE4,
        "aring": 0xE5, "aelig": 0xE6, "ccedil": 0xE7, "egrave": 0xE8, "eacute": 0xE9, "ecirc": 0xEA, "euml": 0xEB,
        "igrave": 0xEC, "iacute": 0xED, "icirc": 0xEE, "iuml": 0xEF, "eth": 0xF0, "ntilde": 0xF1, "ograve": 0xF2,
        "oacute": 0xF3, "ocirc": 0xF4, "otilde": 0xF5, "ouml": 0xF6, "oslash": 0xF8, "ugrave": 0xF9, "uacute": 0xFA,
        "ucirc": 0xFB, "uuml": 0xFC, "yacute": 0xFD, "thorn": 0xFE, "yuml": 0xFF, "OElig": 0x152, "oelig": 0x153,
        "Scaron": 0x160, "scaron": 0x161, "Yuml": 0x178, "fnof": 0x192, "circ": 0x2C6, "tilde": 0x2DC,
        "Alpha": 0x391, "Beta": 0x392, "Gamma": 0x393, "Delta": 0x394, "Omega": 0x3A9, "alpha": 0x3B1,
        "beta": 0x3B2, "gamma": 0x3B3, "delta": 0x3B4, "epsilon": 0x3B5, "lambda": 0x3BB, "mu": 0x3BC, "pi": 0x3C0,
        "sigma": 0x3C3, "omega": 0x3C9, "infin": 0x221E, "ne": 0x2260, "le": 0x2264, "ge": 0x2265, "minus": 0x2212,
        "asymp": 0x2248, "sum": 0x2211, "radic": 0x221A, "larrow": 0x2190, "hearts": 0x2665, "spades": 0x2660,
        "clubs": 0x2663, "diams": 0x2666, "loz": 0x25CA, "star": 0x2606, "check": 0x2713, "colon": 0x3A,
        "comma": 0x2C, "period": 0x2E, "excl": 0x21, "quest": 0x3F, "num": 0x23, "commat": 0x40, "lpar": 0x28,
        "rpar": 0x29, "lsqb": 0x5B, "rsqb": 0x5D, "lowbar": 0x5F, "sol": 0x2F, "bsol": 0x5C, "Tab": 0x09,
        "NewLine": 0x0A, "equals": 0x3D, "plus": 0x2B, "dollar": 0x24, "percnt": 0x25, "ast": 0x2A,
    ]
}
