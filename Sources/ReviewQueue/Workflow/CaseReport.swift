public import Foundation
public import RuleEngine

/// A remote report (an ActivityPub `Flag`) to file on the case about the actor it flags.
public struct NewReport: Sendable, Hashable {
    /// The `Flag` activity's id.
    public var activityID: String
    /// The verified signer of the `Flag` (the reporting server's actor), nil when unsigned.
    public var reporter: String?
    /// The actor the report is about.
    public var flaggedActor: String
    /// Everything the `Flag` names (the actor, the posts).
    public var objects: [String]
    /// The reporter's comment, as text.
    public var comment: String?
    /// Names this delivery of the report: a repeat joins nothing twice.
    public var deliveryKey: String
    public var source: ReviewCase.Source
    /// The verdict on the `Flag` itself.
    public var verdict: Verdict
    public var body: [UInt8]
    public var request: StoredRequest?
    public var receivedAt: Date

    public init(
        activityID: String, reporter: String?, flaggedActor: String, objects: [String], comment: String?,
        deliveryKey: String,
        source: ReviewCase.Source, verdict: Verdict, body: [UInt8], request: StoredRequest?, receivedAt: Date
    ) {
        self.activityID = activityID
        self.reporter = reporter
        self.flaggedActor = flaggedActor
        self.objects = objects
        self.comment = comment
        self.deliveryKey = deliveryKey
        self.source = source
        self.verdict = verdict
        self.body = body
        self.request = request
        self.receivedAt = receivedAt
    }

    /// A new case for a report nobody filed before: about the flagged actor, with nobody as signer, so that
    /// deciding it teaches reputation nothing about the reporter (who sent the `Flag`, not the reported posts).
    public var newCase: NewCase {
        NewCase(
            activityID: activityID, actorID: flaggedActor, signer: nil, deliveryKey: deliveryKey, source: source,
            verdict: Verdict(
                action: .flag, score: verdict.score, hits: verdict.hits, shadowHits: verdict.shadowHits,
                errors: verdict.errors,
                rulesetVersion: verdict.rulesetVersion),
            body: body, request: request, openedAt: receivedAt)
    }

    /// Each report on a case raises its priority by this much, up to `maxReportBoost`.
    public static let reportBoost = 50
    public static let maxReportBoost = 500
}

/// A report filed on a case, as stored.
public struct CaseReport: Sendable, Hashable, Codable, Identifiable {
    public var id: Int64
    public var caseID: Int64
    public var activityID: String
    public var reporter: String?
    public var objects: [String]
    public var comment: String?
    public var at: Date

    public init(
        id: Int64, caseID: Int64, activityID: String, reporter: String?, objects: [String], comment: String?, at: Date
    ) {
        self.id = id
        self.caseID = caseID
        self.activityID = activityID
        self.reporter = reporter
        self.objects = objects
        self.comment = comment
        self.at = at
    }
}
