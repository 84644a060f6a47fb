import ActivityPub
public import Foundation
public import RuleEngine

/// An activity a person has to look at: held (waiting for a decision before it reaches the instance) or
/// flagged (already delivered, to be checked). Evidence is preserved as it arrived.
public struct ReviewCase: Sendable, Hashable, Codable, Identifiable {
    /// Where a case is in its life; `CaseCommand` lists the moves between states (see `ReviewCase.applying`).
    public enum State: String, Sendable, Hashable, Codable, CaseIterable {
        /// Waiting for a moderator.
        case open
        /// Leased to a moderator who is looking at it (`lease`).
        case inReview = "in_review"
        /// Waiting for someone who may confirm proposals (a lead or an admin).
        case escalated
        /// Decided; `outcome` says how.
        case closed
    }

    /// How a closed case ended.
    public enum Outcome: String, Sendable, Hashable, Codable, CaseIterable {
        /// A held request was delivered to the instance, or a flagged one was judged fine.
        case approved
        /// Judged spam or abuse: a held request is never delivered.
        case rejected
    }

    /// Who holds a case in review, until when. An expired lease holds nothing.
    public struct Lease: Sendable, Hashable, Codable {
        /// `Principal.leaseKey` of the holder: the same person holds it through the UI and their tokens.
        public var holder: String
        /// The holder's `Principal.displayName`.
        public var holderName: String
        public var expiresAt: Date

        public init(holder: String, holderName: String, expiresAt: Date) {
            self.holder = holder
            self.holderName = holderName
            self.expiresAt = expiresAt
        }

        public func isActive(at now: Date) -> Bool { expiresAt > now }
    }

    /// Where the activity came from.
    public enum Source: String, Sendable, Hashable, Codable {
        /// The inbox firewall: the full request is kept and a held case can be replayed upstream.
        case inbox
        /// The check hook: the caller delivers or drops the activity itself.
        case hook
        /// `herdwatch serve --demo`: fixtures replayed at start.
        case demo
    }

    public var id: Int64
    /// The activity's `id`.
    public var activityID: String
    /// The actor the activity claims.
    public var actorID: String?
    /// The verified signer of the delivery, nil when nobody verifiably signed it. Decisions are booked on the
    /// signer, never on the claimed actor: only the signer is known to have sent it.
    public var signer: String?
    /// Names the delivery (activity id, signer and body): a repeat of the same delivery joins this case; a
    /// different body, or the same bytes signed by someone else, opens a case of its own.
    public var deliveryKey: String
    public var source: Source
    /// The verdict's action when the case was opened: `flag` or `hold`.
    public var action: RuleAction
    public var verdict: Verdict
    public var state: State
    /// Set when the case is closed.
    public var outcome: Outcome?
    /// Goes up with every change; a decision names the version it was made on, so a stale page cannot act twice.
    public var version: Int
    /// The lease of the moderator reviewing the case, if any (it may have expired).
    public var lease: Lease?
    /// Higher first; see `CasePriority`.
    public var priority: Int
    public var openedAt: Date
    /// Deliveries of the same activity seen after the first.
    public var duplicateDeliveries: Int
    /// Remote reports (`Flag`s) filed on the case; see `CaseStore.reports(caseID:)`.
    public var reports: Int
    /// The activity as received (JSON bytes).
    public var body: [UInt8]
    /// The inbox request as received, for replay after approval.
    public var request: StoredRequest?
    /// When a held request was delivered to the instance after approval, and the instance's answer.
    public var delivery: Delivery?
    /// Who decided the case (the token's name and id, or the account), once decided.
    public var decidedBy: String?
    /// When the case was closed.
    public var closedAt: Date?
    /// `EvidenceDigest` of the evidence when the case opened (nil for cases opened before digests were kept).
    public var evidenceDigest: String?
    /// The sender's actor document as Herdwatch had it when the case opened (JSON), when it had one.
    public var actorDocument: [UInt8]?

    public struct Delivery: Sendable, Hashable, Codable {
        public var at: Date
        public var status: Int

        public init(at: Date, status: Int) {
            self.at = at
            self.status = status
        }
    }

    public init(
        id: Int64, activityID: String, actorID: String?, signer: String? = nil, deliveryKey: String, source: Source,
        action: RuleAction, verdict: Verdict, state: State, outcome: Outcome? = nil, version: Int = 1,
        lease: Lease? = nil,
        priority: Int = 0, openedAt: Date, duplicateDeliveries: Int = 0, reports: Int = 0, body: [UInt8],
        request: StoredRequest?,
        delivery: Delivery? = nil, decidedBy: String? = nil, closedAt: Date? = nil, evidenceDigest: String? = nil,
        actorDocument: [UInt8]? = nil
    ) {
        self.evidenceDigest = evidenceDigest
        self.actorDocument = actorDocument
        self.id = id
        self.activityID = activityID
        self.actorID = actorID
        self.signer = signer
        self.deliveryKey = deliveryKey
        self.source = source
        self.action = action
        self.verdict = verdict
        self.state = state
        self.outcome = outcome
        self.version = version
        self.lease = lease
        self.priority = priority
        self.openedAt = openedAt
        self.duplicateDeliveries = duplicateDeliveries
        self.reports = reports
        self.body = body
        self.request = request
        self.delivery = delivery
        self.decidedBy = decidedBy
        self.closedAt = closedAt
    }

    /// The host of the actor the case is about (the signer's when known), for domain notes and queue filters.
    public var host: String? { CaseSubject.host(signer: signer, actorID: actorID) }

    /// Who the case is about: the verified signer when known, else the claimed actor.
    public var subjectActor: String? { signer ?? actorID }

    /// The languages the activity's object declares (`contentMap` keys, `language`), for queue filters.
    public var languages: [String] { CaseSubject.languages(body) }
}

/// What a store needs to open a case.
public struct NewCase: Sendable, Hashable {
    public var activityID: String
    public var actorID: String?
    public var signer: String?
    /// See `ReviewCase.deliveryKey`.
    public var deliveryKey: String
    public var source: ReviewCase.Source
    public var verdict: Verdict
    public var body: [UInt8]
    public var request: StoredRequest?
    public var openedAt: Date
    /// The sender's actor document (JSON), kept as evidence with the case.
    public var actorDocument: [UInt8]?

    public init(
        activityID: String, actorID: String?, signer: String?, deliveryKey: String, source: ReviewCase.Source,
        verdict: Verdict, body: [UInt8], request: StoredRequest?, openedAt: Date, actorDocument: [UInt8]? = nil
    ) {
        self.actorDocument = actorDocument
        self.activityID = activityID
        self.actorID = actorID
        self.signer = signer
        self.deliveryKey = deliveryKey
        self.source = source
        self.verdict = verdict
        self.body = body
        self.request = request
        self.openedAt = openedAt
    }
}

extension NewCase {
    public var host: String? { CaseSubject.host(signer: signer, actorID: actorID) }
    public var languages: [String] { CaseSubject.languages(body) }
    public var priority: Int { CasePriority.of(verdict, action: verdict.action) }
}

extension CaseNote.Subject {
    /// The subjects whose notes a case shows: the case, its actor (the verified signer when known) and its domain.
    public static func shown(caseID: Int64, signer: String?, actorID: String?) -> [CaseNote.Subject] {
        var subjects: [CaseNote.Subject] = [.reviewCase(caseID)]
        if let actor = signer ?? actorID { subjects.append(.actor(actor)) }
        if let host = CaseSubject.host(signer: signer, actorID: actorID) { subjects.append(.domain(host)) }
        return subjects
    }
}

/// What queue filters and notes read about a case's subject.
enum CaseSubject {
    static func host(signer: String?, actorID: String?) -> String? {
        (signer ?? actorID).flatMap(Hostname.host(ofID:))
    }

    static func languages(_ body: [UInt8]) -> [String] {
        guard let activity = try? Activity.decode(body), case .object(let object)? = activity.object else { return [] }
        return object.languages.sorted()
    }
}

/// The outcome of opening a case.
public enum CaseOpening: Sendable, Hashable {
    /// A new case was opened.
    case opened(ReviewCase)
    /// A case for the same delivery (id, signer and body) already existed; its duplicate count went up.
    case duplicate(ReviewCase)

    public var reviewCase: ReviewCase {
        switch self {
        case .opened(let reviewCase), .duplicate(let reviewCase): reviewCase
        }
    }
}
