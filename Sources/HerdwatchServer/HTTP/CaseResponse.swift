import ActivityPub
import Foundation
import Hummingbird
import NIOCore
import ReviewQueue
import RuleEngine

/// A case as the API shows it. The activity is returned as the JSON text it arrived as; clients must show
/// it as text, never render it as HTML.
struct CaseResponse {
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

extension CaseResponse {
    /// The case as a JSON object (keys sorted, absent values left out); its verdict as the hook writes verdicts.
    func write(into json: inout JSONWriter) {
        json.object { json in
            json.member("action", action.rawValue)
            if let activity { json.member("activity", activity) }
            json.member("activity_id", activityId)
            if let actorId { json.member("actor_id", actorId) }
            if let decidedBy { json.member("decided_by", decidedBy) }
            if let delivery {
                json.key("delivery")
                json.object { json in
                    json.member("at", Self.timestamp(delivery.at))
                    json.member("status", delivery.status)
                }
            }
            json.member("duplicate_deliveries", duplicateDeliveries)
            json.member("id", Int(id))
            json.member("opened_at", Self.timestamp(openedAt))
            if let replayDeadline { json.member("replay_deadline", Self.timestamp(replayDeadline)) }
            if let replaySecondsLeft { json.member("replay_seconds_left", replaySecondsLeft) }
            json.key("rules")
            json.array(rules) { json, rule in json.value(rule) }
            json.member("score", score)
            if let signer { json.member("signer", signer) }
            json.member("source", source)
            json.member("state", state)
            if let verdict {
                json.key("verdict")
                json.verdict(verdict)
            }
        }
    }

    /// ISO 8601 in UTC to the second, as `2026-12-07T08:00:00Z`.
    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    var response: Response {
        var writer = JSONWriter()
        write(into: &writer)
        return JSONResponse.bytes(writer.bytes)
    }
}

/// `GET /herdwatch/api/v1/cases`: the cases and the count per state.
struct CaseList {
    var cases: [CaseResponse]
    var counts: [String: Int]

    var response: Response {
        var writer = JSONWriter()
        writer.object { json in
            json.key("cases")
            json.array(cases) { json, reviewCase in reviewCase.write(into: &json) }
            json.key("counts")
            json.object { json in
                for (state, count) in counts.sorted(by: { $0.key < $1.key }) { json.member(state, count) }
            }
        }
        return JSONResponse.bytes(writer.bytes)
    }
}
