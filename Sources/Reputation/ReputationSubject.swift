public import ActivityPub

/// A subject with everything reputation derives from it alone: the keys it reads and writes and its campaign
/// fingerprint.
///
/// Making one reads no reputation state, so a replay makes them on any core, a batch ahead of the in-order
/// work (signals, evaluation, recording), which then hashes no text and builds no key.
public struct ReputationSubject: Sendable {
    public let subject: Subject
    let actorID: String
    let host: String
    let actorCounterKey: String
    let domainCounterKey: String
    let newActorsCounterKey: String
    /// One per distinct link domain, in the order of `Subject.linkDomains`.
    let linkCounterKeys: [String]
    /// For a `Follow`: its target's follows from the sender's domain by young accounts
    /// (`follows.young_same_target_1h`); nil for other activities.
    let followTargetCounterKey: String?
    let actorLabelKey: String
    let domainLabelKey: String
    let fingerprint: CampaignFingerprint?
    /// `fingerprint?.bands`, computed once.
    let bands: [UInt64]
    /// The media cluster keys: a hash of each of the first `maxMediaKeys` blurhashes and of the first
    /// `maxMediaKeys` stated file digests. Posts that share one are in one media cluster.
    let mediaBands: [UInt64]

    /// Most blurhashes, and most digests, a post adds to media clustering (Mastodon allows 4 attachments,
    /// Misskey 16): a post with thousands of attachments costs no more than one with a few.
    static let maxMediaKeys = 16

    public init(_ subject: Subject) {
        self.init(subject, fingerprint: CampaignFingerprint.make(Self.campaignText(of: subject)))
    }

    init(_ subject: Subject, fingerprint: CampaignFingerprint?) {
        self.subject = subject
        let actorID = subject.actorID ?? ""
        let host = subject.actorHost ?? ""
        self.actorID = actorID
        self.host = host
        actorCounterKey = "actor:" + actorID
        domainCounterKey = "domain:" + host
        newActorsCounterKey = "newactors:" + host
        linkCounterKeys = subject.linkDomains.map { "link:" + $0 }
        followTargetCounterKey =
            subject.activityType == "Follow" ? subject.objectID.map { "followtarget:" + host + " " + $0 } : nil
        actorLabelKey = LabelRecord.Scope.actor.rawValue + ":" + actorID
        domainLabelKey = LabelRecord.Scope.domain.rawValue + ":" + host
        self.fingerprint = fingerprint
        bands = fingerprint?.bands ?? []
        mediaBands = Self.mediaBands(of: subject)
    }

    private static let blurhashSeed: UInt64 = 0x626C_7572_6861_7368  // "blurhash"
    private static let digestSeed: UInt64 = 0x6469_6765_7374_0000  // "digest"

    /// Stable hashes (the same in every process, so they can be stored) of the media's blurhashes and digests,
    /// seeded apart from each other and from text bands.
    static func mediaBands(of subject: Subject) -> [UInt64] {
        func hash(_ key: String, seed: UInt64) -> UInt64 {
            var key = key
            return key.withUTF8 { StableHash.hash($0, seed: seed) }
        }
        return subject.blurhashes.prefix(maxMediaKeys).map { hash($0, seed: blurhashSeed) }
            + subject.mediaDigests.prefix(maxMediaKeys).map { hash($0, seed: digestSeed) }
    }

    /// The counter keys the signals read, each once.
    var counterKeys: [String] {
        [newActorsCounterKey, actorCounterKey, domainCounterKey] + linkCounterKeys
            + (followTargetCounterKey.map { [$0] } ?? [])
    }

    /// The text campaigns are fingerprinted from.
    static func campaignText(of subject: Subject) -> String {
        subject.text(.content) + "\n" + subject.text(.summary)
    }
}
