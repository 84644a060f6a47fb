/// A text with everything but ASCII letters and digits deleted and the letters lowercased (KELVIN SIGN and
/// LONG S, which PCRE2 matches caselessly as `k` and `s`, become those): `c.r-y p_t*o` reads `crypto`.
///
/// Words spelled out with separators (`c[\s.*_-]*r[\s.*_-]*y…`) have no literal Hyperscan can look for, and
/// scanning for dozens of them costs more than the rest of a rule set. In the skeleton the same word is a plain
/// literal: each atom becomes the skeleton characters it can match, optional when it can also match a deleted
/// character, and separators that only match deleted characters vanish. Every PCRE2 match of the pattern leaves
/// a match of that rewrite in the skeleton, so scanning the skeleton is a prefilter like any other.
enum AlphanumericSkeleton {
    /// What an atom can match, seen from the skeleton.
    struct AtomImage: Hashable {
        /// Skeleton characters of the kept code points the atom matches.
        var bytes: Set<UInt8>
        /// Whether it also matches a code point the skeleton deletes.
        var matchesDeleted: Bool
    }

    /// The code points the skeleton keeps, and what each becomes.
    static let kept: [(Unicode.Scalar, UInt8)] = {
        var kept: [(Unicode.Scalar, UInt8)] = []
        for byte in UInt8(ascii: "0")...UInt8(ascii: "9") { kept.append((Unicode.Scalar(byte), byte)) }
        for byte in UInt8(ascii: "a")...UInt8(ascii: "z") {
            kept.append((Unicode.Scalar(byte), byte))
            kept.append((Unicode.Scalar(byte - 0x20), byte))
        }
        kept.append(("\u{212A}", UInt8(ascii: "k")))
        kept.append(("\u{017F}", UInt8(ascii: "s")))
        return kept
    }()

    /// Every code point the skeleton deletes (surrogates excepted), in a few texts.
    static func deletedTexts() -> [String] {
        let keptValues = Set(kept.map(\.0.value))
        return [
            ScalarBuckets.text(of: 0..<0x80, excluding: keptValues), ScalarBuckets.text(of: 0x80..<0x17F),
            ScalarBuckets.text(of: 0x180..<0x212A), ScalarBuckets.text(of: 0x212B..<0x110000),
        ]
    }

    /// Skeleton byte of each ASCII byte, 0 for deleted ones.
    private static let asciiImage: [UInt8] = (0..<128).map { byte in
        switch UInt8(byte) {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"): UInt8(byte)
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): UInt8(byte) | 0x20
        default: 0
        }
    }

    /// Writes the skeleton of UTF-8 `bytes` into `output` (at least as long) and returns its length.
    static func write(_ bytes: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var count = 0
        var index = 0
        let end = bytes.count
        asciiImage.withUnsafeBufferPointer { table in
            while index < end {
                let byte = bytes[index]
                if byte < 0x80 {
                    let image = table[Int(byte)]
                    output[count] = image
                    count &+= image == 0 ? 0 : 1
                    index &+= 1
                } else if byte == 0xC5, index + 1 < end, bytes[index + 1] == 0xBF {
                    output[count] = UInt8(ascii: "s")
                    count += 1
                    index += 2
                } else if byte == 0xE2, index + 2 < end, bytes[index + 1] == 0x84, bytes[index + 2] == 0xAA {
                    output[count] = UInt8(ascii: "k")
                    count += 1
                    index += 3
                } else {
                    index &+= 1
                }
            }
        }
        return count
    }

    /// The skeleton of `text`, for tests.
    static func skeleton(of text: String) -> String {
        var text = text
        return text.withUTF8 { bytes in
            String(unsafeUninitializedCapacity: bytes.count) { write(bytes, into: $0) }
        }
    }

    /// A Hyperscan expression (byte mode, case-sensitive) matching the skeleton of every text the pattern
    /// matches, or nil when the pattern is not a spelled-out word: one sequence of atoms and assertions, without
    /// two required narrow atoms in a row in its own form but with at least two in the skeleton.
    static func prefilter(for structure: PatternStructure, using analyzer: AtomAnalyzer) -> String? {
        guard structure.alternatives.count == 1 else { return nil }
        var elements: [(characters: [UInt8], minimum: Int, maximum: Int?)] = []
        var run = 0
        var longestRun = 0
        var ownRun = 0
        var longestOwnRun = 0
        for element in structure.alternatives[0] {
            let atom: PatternStructure.Atom
            switch element.kind {
            case .group: return nil
            case .assertion: continue
            case .atom(let value): atom = value
            }
            guard let image = analyzer.skeletonImage(of: atom) else { return nil }
            let narrow = element.maximum == 1 && image.bytes.count <= 3
            ownRun = narrow && element.minimum == 1 && !image.matchesDeleted ? ownRun + 1 : 0
            longestOwnRun = max(longestOwnRun, ownRun)
            if image.bytes.isEmpty {
                // Only deleted code points: nothing in the skeleton, unless it matches nothing at all.
                guard image.matchesDeleted || element.minimum == 0 else { return nil }
                continue
            }
            let minimum = image.matchesDeleted ? 0 : element.minimum
            run = narrow ? run + min(minimum, 1) : 0
            longestRun = max(longestRun, run)
            if element.maximum != 0 { elements.append((image.bytes.sorted(), minimum, element.maximum)) }
        }
        guard longestRun >= 2, longestOwnRun < 2 else { return nil }
        // Optional elements at either end add nothing to a prefilter.
        while let first = elements.first, first.minimum == 0 { elements.removeFirst() }
        while let last = elements.last, last.minimum == 0 { elements.removeLast() }
        var expression = ""
        for element in elements {
            expression += "[" + String(decoding: element.characters, as: UTF8.self) + "]"
            switch (element.minimum, element.maximum) {
            case (1, 1): break
            case (0, 1): expression += "?"
            case (0, nil): expression += "*"
            case (1, nil): expression += "+"
            case (let minimum, nil): expression += "{\(minimum),}"
            case (let minimum, let maximum?): expression += "{\(minimum),\(maximum)}"
            }
        }
        return expression
    }
}
