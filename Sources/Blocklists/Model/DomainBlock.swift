/// One domain block, in Mastodon's model plus what sharing lists needs: reasons, evidence, state, revision and
/// provenance. `domain` is always in the form `BlockDomain.normalize` returns; build entries through it.
public struct DomainBlock: Sendable, Hashable {
    /// Whether the entry is in force or withdrawn by its origin (kept so a retraction can travel with its reason).
    public enum State: String, Sendable, Hashable, Codable {
        case active
        case retracted
    }

    /// Lower-case IDNA ASCII, no trailing dot; covers every subdomain.
    public var domain: String
    public var severity: BlockSeverity
    public var rejectMedia: Bool
    public var rejectReports: Bool
    /// For our moderators only; never published.
    public var privateComment: String
    /// Shown with the published list.
    public var publicComment: String
    /// Publish the domain partly hidden (`BlockDomain.obfuscated`), with its digest.
    public var obfuscate: Bool
    public var reasons: Set<BlockReason>
    /// Links (or hashes) to what the block rests on; private by default.
    public var evidence: [String]
    public var state: State
    /// Counts the entry's changes, so peers and drafts can tell a newer assertion from an older one.
    public var revision: Int
    public var provenance: BlockProvenance?

    public init(
        domain: String,
        severity: BlockSeverity = .suspend,
        rejectMedia: Bool = false,
        rejectReports: Bool = false,
        privateComment: String = "",
        publicComment: String = "",
        obfuscate: Bool = false,
        reasons: Set<BlockReason> = [],
        evidence: [String] = [],
        state: State = .active,
        revision: Int = 1,
        provenance: BlockProvenance? = nil
    ) {
        self.domain = domain
        self.severity = severity
        self.rejectMedia = rejectMedia
        self.rejectReports = rejectReports
        self.privateComment = privateComment
        self.publicComment = publicComment
        self.obfuscate = obfuscate
        self.reasons = reasons
        self.evidence = evidence
        self.state = state
        self.revision = revision
        self.provenance = provenance
    }

    /// Whether the entry limits anything: Mastodon's `with_limitations` (silence, suspend, or media rejected).
    /// Mastodon's CSV export writes only these.
    public var hasLimitations: Bool {
        state == .active && (severity != .noop || rejectMedia)
    }

    /// Mastodon's `stricter_than?`: whether this entry, as a child of `other`, limits at least as much.
    public func isStricter(than other: DomainBlock) -> Bool {
        if severity == .suspend { return true }
        if other.severity > severity { return false }
        return (rejectMedia || !other.rejectMedia) && (rejectReports || !other.rejectReports)
    }

    /// Whether `other` acts the same (severity, flags, state): tells a real change from a comment edit.
    public func hasSamePolicy(as other: DomainBlock) -> Bool {
        severity == other.severity && rejectMedia == other.rejectMedia && rejectReports == other.rejectReports
            && state == other.state
    }
}
