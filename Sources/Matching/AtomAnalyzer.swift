/// Finds out what one atom of a pattern (a class, escape or literal code point) can match by asking PCRE2 itself,
/// so the prefilter plans built on it agree with PCRE2 by construction: Unicode properties, script extensions and
/// caseless equivalents (`k` also matching KELVIN SIGN) are PCRE2's, not a copy of them.
///
/// Used while a `PatternSet` is built. The texts of every code point it asks about (a few megabytes) live as long
/// as the analyzer; results are cached per atom.
final class AtomAnalyzer {
    private var bucketCache: [PatternStructure.Atom: UInt64?] = [:]
    private var skeletonCache: [PatternStructure.Atom: AlphanumericSkeleton.AtomImage?] = [:]
    private var capitalsCache: [PatternStructure.Atom: Bool] = [:]
    private lazy var bucketTexts = ScalarBuckets.texts()
    private lazy var deletedTexts = AlphanumericSkeleton.deletedTexts()

    /// Every ASCII character.
    private static let ascii: String = {
        var text = ""
        text.unicodeScalars.append(contentsOf: (0..<0x80).compactMap(Unicode.Scalar.init(_:)))
        return text
    }()

    private static let capitals = String((UInt8(ascii: "A")...UInt8(ascii: "Z")).map { Character(Unicode.Scalar($0)) })
    private static let asciiExceptCapitals = String(ascii.unicodeScalars.filter { !("A"..."Z").contains($0) })

    private static func compile(_ atom: PatternStructure.Atom) -> Pattern? {
        try? Pattern("(?:" + atom.source + ")", options: atom.options)
    }

    /// Whether `pattern` matches somewhere in `text`; a limit hit counts as a match, to stay on the safe side.
    private static func found(_ pattern: Pattern, in text: String) -> Bool {
        do {
            return try pattern.firstMatch(in: text) != nil
        } catch {
            return true
        }
    }

    /// The buckets of the code points `atom` matches, or nil when it matches an ASCII character (then the
    /// buckets say nothing: almost every text has ASCII).
    func buckets(of atom: PatternStructure.Atom) -> UInt64? {
        if let cached = bucketCache[atom] { return cached }
        var result: UInt64?
        if let pattern = Self.compile(atom), !Self.found(pattern, in: Self.ascii) {
            var mask: UInt64 = 0
            for (bucket, text) in bucketTexts.enumerated() where Self.found(pattern, in: text) {
                mask |= 1 << UInt64(bucket)
            }
            result = mask
        }
        bucketCache[atom] = result
        return result
    }

    /// Whether `atom` matches ASCII capitals (`A`–`Z`) and no other code point.
    func matchesOnlyCapitals(_ atom: PatternStructure.Atom) -> Bool {
        if let cached = capitalsCache[atom] { return cached }
        var result = false
        if let pattern = Self.compile(atom), Self.found(pattern, in: Self.capitals),
            !Self.found(pattern, in: Self.asciiExceptCapitals)
        {
            // Bucket 0 is ASCII; the others hold every other code point.
            result = !bucketTexts.dropFirst().contains { Self.found(pattern, in: $0) }
        }
        capitalsCache[atom] = result
        return result
    }

    /// What `atom` becomes in the alphanumeric skeleton of a text, or nil when PCRE2 cannot tell.
    func skeletonImage(of atom: PatternStructure.Atom) -> AlphanumericSkeleton.AtomImage? {
        if let cached = skeletonCache[atom] { return cached }
        var result: AlphanumericSkeleton.AtomImage?
        if let pattern = Self.compile(atom) {
            var image: Set<UInt8> = []
            var understood = true
            for (scalar, byte) in AlphanumericSkeleton.kept {
                do {
                    if try pattern.matches(String(scalar)) { image.insert(byte) }
                } catch {
                    understood = false
                }
            }
            if understood {
                let matchesDeleted = deletedTexts.contains { Self.found(pattern, in: $0) }
                result = AlphanumericSkeleton.AtomImage(bytes: image, matchesDeleted: matchesDeleted)
            }
        }
        skeletonCache[atom] = result
        return result
    }
}
