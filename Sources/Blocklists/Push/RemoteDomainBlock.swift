/// What a Mastodon domain block sets, as its admin API reads and writes it (everything but the id and the domain):
/// the state a push compares and sends.
public struct RemoteBlockSettings: Sendable, Hashable {
    public var severity: BlockSeverity
    public var rejectMedia: Bool
    public var rejectReports: Bool
    /// `null` on the wire reads as "".
    public var privateComment: String
    public var publicComment: String
    public var obfuscate: Bool

    public init(
        severity: BlockSeverity, rejectMedia: Bool = false, rejectReports: Bool = false, privateComment: String = "",
        publicComment: String = "", obfuscate: Bool = false
    ) {
        self.severity = severity
        self.rejectMedia = rejectMedia
        self.rejectReports = rejectReports
        self.privateComment = privateComment
        self.publicComment = publicComment
        self.obfuscate = obfuscate
    }

    /// What pushing `block` asks for: its policy and comments, with `marker` claiming the block in the private
    /// comment.
    public init(pushing block: DomainBlock, marker: PushMarker = .standard) {
        self.init(
            severity: block.severity, rejectMedia: block.rejectMedia, rejectReports: block.rejectReports,
            privateComment: marker.privateComment(carrying: block.privateComment), publicComment: block.publicComment,
            obfuscate: block.obfuscate)
    }

    /// Whether the same severity and flags: the block acts the same, whatever its comments say.
    public func hasSamePolicy(as other: RemoteBlockSettings) -> Bool {
        severity == other.severity && rejectMedia == other.rejectMedia && rejectReports == other.rejectReports
    }

    /// Mastodon's `stricter_than?`, which decides whether it accepts a block under `parent` (else 422).
    public func isStricter(than parent: RemoteBlockSettings) -> Bool {
        if severity == .suspend { return true }
        if parent.severity > severity { return false }
        return (rejectMedia || !parent.rejectMedia) && (rejectReports || !parent.rejectReports)
    }

    /// `suspend+reject_media`: the policy as the CLI prints it.
    public var policyDescription: String {
        ([severity.rawValue] + (rejectMedia ? ["reject_media"] : []) + (rejectReports ? ["reject_reports"] : []))
            .joined(separator: "+")
    }
}

/// A domain block as a Mastodon server's admin API lists it.
public struct RemoteDomainBlock: Sendable, Hashable {
    /// Mastodon's id, a string.
    public var id: String
    /// As the server returned it; the plan compares it normalised.
    public var domain: String
    public var settings: RemoteBlockSettings

    public init(id: String, domain: String, settings: RemoteBlockSettings) {
        self.id = id
        self.domain = domain
        self.settings = settings
    }
}
