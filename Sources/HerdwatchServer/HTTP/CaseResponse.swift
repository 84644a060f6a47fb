import Foundation
import ReviewQueue
import RuleEngine

/// A case as the API shows it. The activity is returned as the JSON text it arrived as; clients must show
/// it as text, never render it as HTML.
struct CaseResponse: Encodable {
    var id: Int64
    var activityId: String
    var actorId: String?
    /// Who verifiably signed the delivery (nil: nobody); decisions are booked on the signer.
    var signer: String?
    var source: String
    var action: RuleAction
    var state: String
    var openedAt: Date
    var score: Double
    var rules: [String]
    var duplicateDeliveries: Int
    /// For held inbox deliveries: until when approving still delivers it (the instance's signature window).
    var replayDeadline: Date?
    /// Seconds left before `replayDeadline`, negative once past.
    var replaySecondsLeft: Int?
    var delivery: ReviewCase.Delivery?
    var decidedBy: String?
    var verdict: Verdict?
    var activity: String?

    init(_ reviewCase: ReviewCase, replayWindow: TimeInterval, detailed: Bool, now: Date = Date()) {
        id = reviewCase.id
        activityId = reviewCase.activityID
        actorId = reviewCase.actorID
        signer = reviewCase.signer
        source = reviewCase.source.rawValue
        action = reviewCase.action
        state = reviewCase.state.rawValue
        openedAt = reviewCase.openedAt
        score = reviewCase.verdict.score
        rules = reviewCase.verdict.hits.map(\.rule)
        duplicateDeliveries = reviewCase.duplicateDeliveries
        if reviewCase.action == .hold, let request = reviewCase.request {
            let deadline = request.replayDeadline(window: replayWindow)
            replayDeadline = deadline
            replaySecondsLeft = Int(deadline.timeIntervalSince(now).rounded(.down))
        }
        delivery = reviewCase.delivery
        decidedBy = reviewCase.decidedBy
        if detailed {
            verdict = reviewCase.verdict
            activity = String(decoding: reviewCase.body, as: UTF8.self)
        }
    }
}

struct CaseList: Encodable {
    var cases: [CaseResponse]
    var counts: [String: Int]
}
