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
    let actorLabelKey: String
    let domainLabelKey: String
    let fingerprint: CampaignFingerprint?
    /// `fingerprint?.bands`, computed once.
    let bands: [UInt64]

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
        actorLabelKey = LabelRecord.Scope.actor.rawValue + ":" + actorID
        domainLabelKey = LabelRecord.Scope.domain.rawValue + ":" + host
        self.fingerprint = fingerprint
        bands = fingerprint?.bands ?? []
    }

    /// The text campaigns are fingerprinted from.
    static func campaignText(of subject: Subject) -> String {
        subject.text(.content) + "\n" + subject.text(.summary)
    }
}
