/// Resource limits applied to every PCRE2 match, so that a pathological pattern or text cannot hang evaluation.
///
/// A limit hit is reported as an error (the rule is marked as errored), never as "no match".
public struct MatchLimits: Sendable, Hashable {
    /// Maximum number of backtracking steps (`pcre2_set_match_limit`).
    public var match: UInt32
    /// Maximum backtracking depth (`pcre2_set_depth_limit`; the JIT ignores it).
    public var depth: UInt32
    /// Maximum heap memory for backtracking, in KiB (`pcre2_set_heap_limit`).
    public var heapKiB: UInt32

    public init(match: UInt32 = 1_000_000, depth: UInt32 = 10_000, heapKiB: UInt32 = 8192) {
        self.match = match
        self.depth = depth
        self.heapKiB = heapKiB
    }

    public static let `default` = MatchLimits()
}
