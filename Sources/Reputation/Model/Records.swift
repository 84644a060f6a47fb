public import Foundation

/// What the store keeps about one actor.
public struct ActorRecord: Sendable, Hashable, Codable {
    public var id: String
    public var host: String
    /// First time a verified activity from the actor was seen. Never set by unverified evidence.
    public var firstSeen: Date?
    public var lastSeen: Date
    /// The actor document's `published`, when known.
    public var published: Date?
    public var activitiesSeen: Int
    public var accepted: Int
    public var flagged: Int
    public var held: Int
    public var rejected: Int
    public var confirmedSpam: DecayingCount
    public var confirmedHam: DecayingCount

    public init(id: String, host: String, lastSeen: Date) {
        self.id = id
        self.host = host
        self.lastSeen = lastSeen
        self.activitiesSeen = 0
        self.accepted = 0
        self.flagged = 0
        self.held = 0
        self.rejected = 0
        self.confirmedSpam = DecayingCount()
        self.confirmedHam = DecayingCount()
    }
}

/// What the store keeps about one domain (an actor's host).
public struct DomainRecord: Sendable, Hashable, Codable {
    public var host: String
    public var firstSeen: Date?
    public var lastSeen: Date
    public var actorsSeen: Int
    public var activitiesSeen: Int
    /// Activities from the domain that were held or rejected.
    public var heldOrRejected: Int
    public var confirmedSpam: DecayingCount
    public var confirmedHam: DecayingCount
    /// Whether a subscribed peer blocklist lists the domain (set by the blocklist subscription sync).
    public var peerListed: Bool

    public init(host: String, lastSeen: Date) {
        self.host = host
        self.lastSeen = lastSeen
        self.actorsSeen = 0
        self.activitiesSeen = 0
        self.heldOrRejected = 0
        self.confirmedSpam = DecayingCount()
        self.confirmedHam = DecayingCount()
        self.peerListed = false
    }
}

/// A near-duplicate cluster: posts whose fingerprints share an LSH band, or a media cluster: posts that share an
/// image (the same blurhash or file digest), whose bands are those keys' hashes and whose signature is
/// `mediaSignature`.
public struct CampaignRecord: Sendable, Hashable, Codable {
    public var id: Int64
    public var firstSeen: Date
    public var lastSeen: Date
    public var size: Int
    /// Distinct actors and domains that posted into the cluster (capped; see `CampaignRecord.memberCap`).
    public var actors: Set<String>
    public var domains: Set<String>
    /// The MinHash signature of the post that opened the campaign; later posts join only when similar to it.
    public var signature: [UInt32]

    public static let memberCap = 2_000
    /// Most bands a campaign is indexed under (200 distinct posts' worth): see `ReputationState.record`.
    public static let bandCap = 4_000

    /// The signature a media cluster is stored with: not a MinHash signature (those have 100 values), so a text
    /// post is never compared with it, and the store needs no column to tell the two kinds apart.
    public static let mediaSignature: [UInt32] = [0x6D65_6469]  // "medi"

    /// Whether this is a media cluster rather than a cluster of near-duplicate text.
    public var isMedia: Bool { signature == Self.mediaSignature }

    public init(id: Int64, firstSeen: Date) {
        self.id = id
        self.firstSeen = firstSeen
        self.lastSeen = firstSeen
        self.size = 0
        self.actors = []
        self.domains = []
        self.signature = []
    }
}

/// A label on an actor or domain, set by a rule or a moderator, with an optional expiry.
public struct LabelRecord: Sendable, Hashable, Codable {
    public enum Scope: String, Sendable, Codable {
        case actor
        case domain
    }

    public var scope: Scope
    public var key: String
    public var label: String
    public var expiresAt: Date?

    public init(scope: Scope, key: String, label: String, expiresAt: Date?) {
        self.scope = scope
        self.key = key
        self.label = label
        self.expiresAt = expiresAt
    }
}

/// The key facts of one evaluated activity, as recorded.
public struct ObservationRecord: Sendable, Hashable, Codable {
    public var at: Date
    public var activityID: String?
    public var activityType: String
    public var actorID: String
    public var actorHost: String
    public var action: String
    public var score: Double
    public var rules: [String]
    public var signature: SignatureStatus
    /// The full activity, kept only for held or flagged items (evidence for review).
    public var body: [UInt8]?

    public init(
        at: Date, activityID: String?, activityType: String, actorID: String, actorHost: String, action: String,
        score: Double, rules: [String], signature: SignatureStatus, body: [UInt8]?
    ) {
        self.at = at
        self.activityID = activityID
        self.activityType = activityType
        self.actorID = actorID
        self.actorHost = actorHost
        self.action = action
        self.score = score
        self.rules = rules
        self.signature = signature
        self.body = body
    }
}

/// Whether the activity's HTTP signature was checked, and how it went.
public enum SignatureStatus: String, Sendable, Hashable, Codable {
    /// Verified against the actor's key: may raise trust.
    case verified
    /// No signature: may lower trust, never raise it.
    case unsigned
    /// A signature that did not verify: may lower trust, never raise it.
    case failed

    /// Whether evidence with this status may raise an actor's or domain's trust.
    public var mayRaiseTrust: Bool { self == .verified }
}
