/// Compile options for a pattern, written as the familiar one-letter flags (`i`, `m`, `s`, `x`, `n`, `U`).
///
/// Every pattern is compiled with UTF and UCP on: `\w`, `\b` and case-insensitivity understand all scripts.
public struct PatternOptions: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let caseless = PatternOptions(rawValue: 1 << 0)
    public static let multiline = PatternOptions(rawValue: 1 << 1)
    public static let dotAll = PatternOptions(rawValue: 1 << 2)
    public static let extended = PatternOptions(rawValue: 1 << 3)
    public static let noAutoCapture = PatternOptions(rawValue: 1 << 4)
    public static let ungreedy = PatternOptions(rawValue: 1 << 5)

    static let letters: [(Character, PatternOptions)] = [
        ("i", .caseless), ("m", .multiline), ("s", .dotAll), ("x", .extended), ("n", .noAutoCapture), ("U", .ungreedy),
    ]

    /// Parses flags such as `"is"`; returns nil and the offending letter when one is unknown.
    public init(flags: String) throws(PatternOptionsError) {
        var options: PatternOptions = []
        for letter in flags {
            guard let option = Self.letters.first(where: { $0.0 == letter })?.1 else {
                throw PatternOptionsError(letter: letter)
            }
            options.insert(option)
        }
        self = options
    }

    /// The flags as letters, in canonical order.
    public var flags: String {
        String(Self.letters.filter { contains($0.1) }.map(\.0))
    }
}

/// An unknown regex flag letter.
public struct PatternOptionsError: Error, Sendable, Hashable, CustomStringConvertible {
    public var letter: Character
    public var description: String {
        "unknown regex flag '\(letter)'; use any of i (ignore case), m (multiline), s (dot matches newline), "
            + "x (extended), n (no auto capture), U (ungreedy)"
    }
}
