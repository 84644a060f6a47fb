public import Foundation

/// A peer's list we follow: where it is, how we read and verify it, and how far we trust it.
///
/// The merge reads `weight`, `severityCap` and `trustedReasons` (see `BlocklistSource`); the fetcher reads `url`,
/// `format`, `token` and `publicKeys`; review reads `autoApply`.
public struct BlocklistSubscription: Sendable, Hashable {
    /// A short name chosen by the admin (`[a-z0-9-]`, 1–64 characters); recorded as the origin of what it brings.
    public var id: String
    /// Where the list is published (http or https).
    public var url: String
    /// The list's format; nil when detected from each fetch.
    public var format: BlocklistFormat?
    /// A bearer token the publisher asks for; nil for a public list.
    public var token: String?
    /// The publisher's Ed25519 public keys (base64 of the 32 raw bytes). When any is set, only a signed snapshot
    /// that verifies with one of them is accepted.
    public var publicKeys: [String]
    /// This source's share in weighted thresholds.
    public var weight: Double
    /// The most this source may ask for: stricter entries are read at this severity.
    public var severityCap: BlockSeverity
    /// When set, the source counts only for entries carrying one of these reasons.
    public var trustedReasons: Set<BlockReason>?
    /// Higher first when sources disagree on comments and provenance is shown.
    public var priority: Int
    /// Kinds of drafts applied without review. Retractions and new suspensions are never applied without review,
    /// whatever this holds.
    public var autoApply: Set<BlocklistDraft.Kind>
    /// Whether the background service fetches it.
    public var enabled: Bool
    /// Seconds between scheduled fetches.
    public var interval: TimeInterval
    public var createdAt: Date

    public init(
        id: String, url: String, format: BlocklistFormat? = nil, token: String? = nil, publicKeys: [String] = [],
        weight: Double = 1, severityCap: BlockSeverity = .suspend, trustedReasons: Set<BlockReason>? = nil,
        priority: Int = 0, autoApply: Set<BlocklistDraft.Kind> = [], enabled: Bool = true, interval: TimeInterval = 3600,
        createdAt: Date = Date()
    ) {
        self.id = id
        self.url = url
        self.format = format
        self.token = token
        self.publicKeys = publicKeys
        self.weight = weight
        self.severityCap = severityCap
        self.trustedReasons = trustedReasons
        self.priority = priority
        self.autoApply = autoApply
        self.enabled = enabled
        self.interval = interval
        self.createdAt = createdAt
    }

    /// Checks what an admin typed; the error says which field and how to fix it.
    public func validated() throws(BlocklistError) -> BlocklistSubscription {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        guard (1...64).contains(id.count), id.allSatisfy({ allowed.contains($0) }) else {
            throw BlocklistError(.invalidSubscription, "subscription id \(String(reflecting: id)) must be 1–64 characters of a-z, 0-9 and -")
        }
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "https" || scheme == "http",
            parsed.host?.isEmpty == false
        else {
            throw BlocklistError(.invalidSubscription, "subscription \(id): url \(String(reflecting: url)) is not an http(s) URL")
        }
        guard weight.isFinite, weight >= 0 else {
            throw BlocklistError(.invalidSubscription, "subscription \(id): weight must be a number ≥ 0")
        }
        guard interval >= 60 else {
            throw BlocklistError(.invalidSubscription, "subscription \(id): the fetch interval must be at least 60 seconds")
        }
        for key in publicKeys {
            guard let raw = Data(base64Encoded: key), raw.count == 32 else {
                throw BlocklistError(
                    .invalidSubscription,
                    "subscription \(id): public key \(String(reflecting: key)) is not base64 of 32 bytes (an Ed25519 key, as `herdwatch blocklist keys` prints it)")
            }
        }
        return self
    }

    /// The merge's view of what this subscription carries.
    public func source(entries: [DomainBlock]) -> BlocklistSource {
        BlocklistSource(
            id: id, entries: entries, weight: weight, severityCap: severityCap, trustedReasons: trustedReasons,
            isSubscription: true)
    }
}
