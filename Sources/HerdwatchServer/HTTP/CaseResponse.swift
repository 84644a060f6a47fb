import ActivityPub
import Foundation
import Hummingbird
import NIOCore
import ReviewQueue
import RuleEngine

/// A case as the API shows it. The activity is returned as the JSON text it arrived as; clients must show
/// it as text, never render it as HTML. The stored request (headers, which carry IP addresses) is shown only in
/// detail and only to principals with `viewPersonalData`.
struct CaseResponse {
    var id: Int64
    var activityId: String
    var actorId: String?
    /// Who verifiably signed the delivery (nil: nobody); decisions are booked on the signer.
    var signer: String?
    var source: String
    var action: RuleAction
    var state: String
    var outcome: String?
    /// SHA-256 of the evidence as it arrived (`EvidenceDigest`).
    var evidenceSha256: String?
    var version: Int
    var lease: ReviewCase.Lease?
    var priority: Int
    var openedAt: Date
    var score: Double
    var rules: [String]
    var duplicateDeliveries: Int
    var reports: Int
    var filedReports: [CaseReport]?
    /// For held inbox deliveries: until when approving still delivers it (the instance's signature window).
    var replayDeadline: Date?
    /// Seconds left before `replayDeadline`, negative once past.
    var replaySecondsLeft: Int?
    var delivery: ReviewCase.Delivery?
    var decidedBy: String?
    var verdict: Verdict?
    var activity: String?
    var request: StoredRequest?
    var notes: [CaseNote]?

    init(
        _ reviewCase: ReviewCase, replayWindow: TimeInterval, detailed: Bool, personalData: Bool = false,
        notes: [CaseNote]? = nil,
        reports filedReports: [CaseReport]? = nil, now: Date = Date()
    ) {
        id = reviewCase.id
        activityId = reviewCase.activityID
        actorId = reviewCase.actorID
        signer = reviewCase.signer
        source = reviewCase.source.rawValue
        action = reviewCase.action
        state = reviewCase.state.rawValue
        outcome = reviewCase.outcome?.rawValue
        evidenceSha256 = reviewCase.evidenceDigest
        version = reviewCase.version
        lease = reviewCase.lease.flatMap { $0.isActive(at: now) ? $0 : nil }
        priority = reviewCase.priority
        openedAt = reviewCase.openedAt
        score = reviewCase.verdict.score
        rules = reviewCase.verdict.hits.map(\.rule)
        duplicateDeliveries = reviewCase.duplicateDeliveries
        reports = reviewCase.reports
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
            if personalData { request = reviewCase.request }
            self.notes = notes
            self.filedReports = filedReports
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
            if let evidenceSha256 { json.member("evidence_sha256", evidenceSha256) }
            json.member("id", Int(id))
            if let lease {
                json.key("lease")
                json.object { json in
                    json.member("expires_at", Self.timestamp(lease.expiresAt))
                    json.member("holder", lease.holderName)
                }
            }
            if let notes {
                json.key("notes")
                json.array(notes) { json, note in NoteResponse(note).write(into: &json) }
            }
            json.member("opened_at", Self.timestamp(openedAt))
            if let outcome { json.member("outcome", outcome) }
            json.member("priority", priority)
            if let replayDeadline { json.member("replay_deadline", Self.timestamp(replayDeadline)) }
            json.member("reports", reports)
            if let filedReports {
                json.key("reports_filed")
                json.array(filedReports) { json, report in
                    json.object { json in
                        json.member("activity_id", report.activityID)
                        json.member("at", Self.timestamp(report.at))
                        if let comment = report.comment { json.member("comment", comment) }
                        json.key("objects")
                        json.array(report.objects) { json, object in json.value(object) }
                        if let reporter = report.reporter { json.member("reporter", reporter) }
                    }
                }
            }
            if let replaySecondsLeft { json.member("replay_seconds_left", replaySecondsLeft) }
            if let request {
                json.key("request")
                json.object { json in
                    json.key("headers")
                    json.array(request.headers) { json, header in
                        json.array([header.name, header.value]) { json, text in json.value(text) }
                    }
                    json.member("method", request.method)
                    json.member("received_at", Self.timestamp(request.receivedAt))
                    json.member("target", request.target)
                }
            }
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
            json.member("version", version)
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

/// A note as the API shows it: `subject` is `case`, `actor` or `domain`, `about` the case id, actor id or host.
struct NoteResponse {
    var note: CaseNote

    init(_ note: CaseNote) {
        self.note = note
    }

    func write(into json: inout JSONWriter) {
        let (subject, about): (String, String) =
            switch note.subject {
            case .reviewCase(let id): ("case", String(id))
            case .actor(let id): ("actor", id)
            case .domain(let host): ("domain", host)
            }
        json.object { json in
            json.member("about", about)
            json.member("at", CaseResponse.timestamp(note.at))
            json.member("author", note.author)
            json.member("id", Int(note.id))
            json.member("subject", subject)
            json.member("text", note.text)
        }
    }
}
