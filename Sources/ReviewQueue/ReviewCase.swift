public import Foundation
public import RuleEngine

/// An activity a person has to look at: held (waiting for a decision before it reaches the instance) or
/// flagged (already delivered, to be checked). Evidence is preserved as it arrived.
public struct ReviewCase: Sendable, Hashable, Codable, Identifiable {
    public enum State: String, Sendable, Hashable, Codable, CaseIterable {
        /// Waiting for a moderator.
        case open
        /// Approved: a held request was delivered to the instance, or a flagged one was judged fine.
        case approved
        /// Judged spam or abuse: a held request is never delivered.
        case rejected
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
    public var openedAt: Date
    /// Deliveries of the same activity seen after the first.
    public var duplicateDeliveries: Int
    /// The activity as received (JSON bytes).
    public var body: [UInt8]
    /// The inbox request as received, for replay after approval.
    public var request: StoredRequest?
    /// When a held request was delivered to the instance after approval, and the instance's answer.
    public var delivery: Delivery?
    /// Who decided the case (the token's name and id, or the account), once decided.
    public var decidedBy: String?

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
        action: RuleAction, verdict: Verdict, state: State, openedAt: Date, duplicateDeliveries: Int = 0, body: [UInt8],
        request: StoredRequest?, delivery: Delivery? = nil, decidedBy: String? = nil
    ) {
        self.id = id
        self.activityID = activityID
        self.actorID = actorID
        self.signer = signer
        self.deliveryKey = deliveryKey
        self.source = source
        self.action = action
        self.verdict = verdict
        self.state = state
        self.openedAt = openedAt
        self.duplicateDeliveries = duplicateDeliveries
        self.body = body
        self.request = request
        self.delivery = delivery
        self.decidedBy = decidedBy
    }
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

    public init(
        activityID: String, actorID: String?, signer: String?, deliveryKey: String, source: ReviewCase.Source,
        verdict: Verdict, body: [UInt8], request: StoredRequest?, openedAt: Date
    ) {
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
