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
    /// The activity's `id`; a second delivery of the same id joins this case instead of opening another.
    public var activityID: String
    public var actorID: String?
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

    public struct Delivery: Sendable, Hashable, Codable {
        public var at: Date
        public var status: Int

        public init(at: Date, status: Int) {
            self.at = at
            self.status = status
        }
    }

    public init(
        id: Int64, activityID: String, actorID: String?, source: Source, action: RuleAction, verdict: Verdict,
        state: State, openedAt: Date, duplicateDeliveries: Int = 0, body: [UInt8], request: StoredRequest?,
        delivery: Delivery? = nil
    ) {
        self.id = id
        self.activityID = activityID
        self.actorID = actorID
        self.source = source
        self.action = action
        self.verdict = verdict
        self.state = state
        self.openedAt = openedAt
        self.duplicateDeliveries = duplicateDeliveries
        self.body = body
        self.request = request
        self.delivery = delivery
    }
}

/// What a store needs to open a case.
public struct NewCase: Sendable, Hashable {
    public var activityID: String
    public var actorID: String?
    public var source: ReviewCase.Source
    public var verdict: Verdict
    public var body: [UInt8]
    public var request: StoredRequest?
    public var openedAt: Date

    public init(
        activityID: String, actorID: String?, source: ReviewCase.Source, verdict: Verdict, body: [UInt8],
        request: StoredRequest?, openedAt: Date
    ) {
        self.activityID = activityID
        self.actorID = actorID
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
    /// A case for the same activity id already existed; its duplicate count went up.
    case duplicate(ReviewCase)

    public var reviewCase: ReviewCase {
        switch self {
        case .opened(let reviewCase), .duplicate(let reviewCase): reviewCase
        }
    }
}
