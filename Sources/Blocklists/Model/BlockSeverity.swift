/// How hard a block acts, in Mastodon's three levels, ordered from mildest to strictest.
///
/// Mastodon stores these as `silence: 0, suspend: 1, noop: 2`; that order is not the severity order, so the raw
/// values here are the names every format writes.
public enum BlockSeverity: String, Sendable, Hashable, CaseIterable, Comparable, Codable {
    /// Listed without limiting anything (flags may still apply; a retraction kept with its reason).
    case noop
    /// Posts are hidden from people who do not follow the domain's accounts.
    case silence
    /// Nothing from the domain is accepted, and follows are severed.
    case suspend

    private var rank: Int {
        switch self {
        case .noop: 0
        case .silence: 1
        case .suspend: 2
        }
    }

    public static func < (lhs: BlockSeverity, rhs: BlockSeverity) -> Bool {
        lhs.rank < rhs.rank
    }
}
