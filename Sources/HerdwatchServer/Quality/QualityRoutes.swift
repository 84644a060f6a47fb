import Access
import Foundation
import Hummingbird
import ReviewQueue
import RuleEngine

/// The JSON API of the review queue's quality, under `/herdwatch/api/v1`:
/// - `GET metrics` (`viewMetrics`): `CaseMetrics` with snake_case keys, plus `opened_per_hour` and
///   `closed_per_hour` (averages over 24 hours);
/// - `PUT queues/NAME/sla` (`manageQueues`): `{"minutes": N}` sets the queue's service level, `{"minutes": null}`
///   goes back to `review.slaMinutes`;
/// - `POST qa/next` (`decide`; not contractors): samples closed cases (`review.qaShare`) and leases the next blind
///   QA review to the caller, who did not decide it: the case without its decision (no outcome, decider, audit or
///   delivery), 204 when there is none;
/// - `POST qa/ID/answer` (`{"outcome": "approved" | "rejected"}`): the caller's own outcome, compared with the first.
///   The metrics carry the agreement rates (`qa.moderators`, `qa.rules`).
struct QualityRoutes: Sendable {
    let quality: CaseQuality

    static func register(on api: RouterGroup<HerdwatchRequestContext>, requiring: PermissionGuard, _ routes: Self) {
        requiring(api.group("metrics"), .viewMetrics).get(use: routes.metrics)
        requiring(api.group("queues"), .manageQueues).put(":name/sla", use: routes.setSLA)
        requiring(api.group("qa"), .decide)
            .post("next", use: routes.nextQA)
            .post(":id/answer", use: routes.answerQA)
    }

    /// `CaseMetrics` and the hourly rates derived from it.
    struct MetricsBody: Encodable {
        var metrics: CaseMetrics
        var qa: QA?

        /// Agreement of QA reviews with first decisions, per first decider and per rule.
        struct QA: Encodable {
            var moderators: [Agreement]
            var rules: [Agreement]
        }

        struct Agreement: Encodable {
            var name: String
            var reviewed: Int
            var agreed: Int
            var rate: Double

            init(_ agreement: QAAgreement) {
                name = agreement.name
                reviewed = agreement.reviewed
                agreed = agreement.agreed
                rate = agreement.rate
            }
        }

        enum Rates: String, CodingKey {
            case openedPerHour
            case closedPerHour
            case qa
        }

        func encode(to encoder: any Encoder) throws {
            try metrics.encode(to: encoder)
            var rates = encoder.container(keyedBy: Rates.self)
            try rates.encode(metrics.openedPerHour, forKey: .openedPerHour)
            try rates.encode(metrics.closedPerHour, forKey: .closedPerHour)
            try rates.encodeIfPresent(qa, forKey: .qa)
        }
    }

    @Sendable func metrics(_ request: Request, context: HerdwatchRequestContext) async -> Response {
        do {
            guard let current = try await quality.current() else { return Self.unavailable }
            let qa = try await quality.qa?.qaAgreement()
            return JSONResponse.make(
                MetricsBody(
                    metrics: current,
                    qa: qa.map {
                        .init(
                            moderators: $0.moderators.map(MetricsBody.Agreement.init),
                            rules: $0.rules.map(MetricsBody.Agreement.init))
                    }))
        } catch {
            return WorkflowRoutes.failure(error)
        }
    }

    struct SLABody: Decodable {
        var minutes: Int?
    }

    /// The queue's service level now, and whether it is its own (else `review.slaMinutes`).
    struct SLAAnswer: Encodable {
        var queue: String
        var slaMinutes: Int
        var own: Bool
    }

    @Sendable func setSLA(_ request: Request, context: HerdwatchRequestContext) async -> Response {
        let name = context.parameters.get("name") ?? ""
        guard let store = quality.store else { return Self.unavailable }
        let body: SLABody
        switch await WorkflowRoutes.decode(SLABody.self, request, optional: false) {
        case .success(let decoded?): body = decoded
        case .success(nil): return WorkflowRoutes.badBody("send the service level as JSON: {\"minutes\": 240}")
        case .failure(let failure): return failure.response
        }
        if let minutes = body.minutes, !(1...525_600).contains(minutes) {
            return WorkflowRoutes.badBody(
                "\(minutes) minutes is not a service level; give 1 to 525600, or null for the default")
        }
        do {
            guard try await store.setSLA(minutes: body.minutes, forQueue: name) else {
                return JSONResponse.error(
                    .notFound, code: "not_found",
                    "there is no queue '\(name)'; create it with PUT /herdwatch/api/v1/queues/NAME")
            }
            return JSONResponse.make(
                SLAAnswer(
                    queue: name, slaMinutes: body.minutes ?? quality.settings.slaMinutes, own: body.minutes != nil))
        } catch {
            return WorkflowRoutes.failure(error)
        }
    }

    /// A case as a QA reviewer sees it: the evidence and the verdict, never the first decision.
    struct BlindCase: Encodable {
        var id: Int64
        var activityID: String
        var actorID: String?
        var signer: String?
        var action: String
        var verdict: Verdict
        var openedAt: Date
        var reports: Int
        /// The activity as received (JSON text); empty when its evidence was purged.
        var activity: String

        init(_ reviewCase: ReviewCase) {
            id = reviewCase.id
            activityID = reviewCase.activityID
            actorID = reviewCase.actorID
            signer = reviewCase.signer
            action = reviewCase.action.rawValue
            verdict = reviewCase.verdict
            openedAt = reviewCase.openedAt
            reports = reviewCase.reports
            activity = String(decoding: reviewCase.body, as: UTF8.self)
        }
    }

    struct QAItem: Encodable {
        var caseID: Int64
        var sampledAt: Date
        var leaseExpiresAt: Date?
        var `case`: BlindCase
    }

    @Sendable func nextQA(_ request: Request, context: HerdwatchRequestContext) async -> Response {
        guard let store = quality.qa else { return Self.unavailable }
        do {
            guard
                let (review, reviewCase) = try await store.nextQA(
                    for: context.actingPrincipal, share: quality.settings.qaShare,
                    lease: ReviewCase.Lease.defaultDuration,
                    at: Date())
            else { return Response(status: .noContent) }
            return JSONResponse.make(
                QAItem(
                    caseID: review.caseID, sampledAt: review.sampledAt, leaseExpiresAt: review.lease?.expiresAt,
                    case: BlindCase(reviewCase)))
        } catch {
            return WorkflowRoutes.failure(error)
        }
    }

    struct AnswerBody: Decodable {
        var outcome: ReviewCase.Outcome
    }

    struct AnswerReply: Encodable {
        var caseID: Int64
        var outcome: ReviewCase.Outcome
        var agrees: Bool
    }

    @Sendable func answerQA(_ request: Request, context: HerdwatchRequestContext) async -> Response {
        guard let store = quality.qa else { return Self.unavailable }
        let text = context.parameters.get("id") ?? ""
        guard let id = Int64(text) else {
            return JSONResponse.error(.notFound, code: "not_found", "there is no case '\(text)'")
        }
        do {
            try QAReview.checkReviewer(context.actingPrincipal)
        } catch {
            return WorkflowRoutes.failure(error)
        }
        let body: AnswerBody
        switch await WorkflowRoutes.decode(AnswerBody.self, request, optional: false) {
        case .success(let decoded?): body = decoded
        case .success(nil):
            return WorkflowRoutes.badBody("send the outcome as JSON: {\"outcome\": \"approved\"} or \"rejected\"")
        case .failure(let failure): return failure.response
        }
        do {
            let answered = try await store.answerQA(
                caseID: id, outcome: body.outcome, by: context.actingPrincipal, at: Date())
            return JSONResponse.make(AnswerReply(caseID: id, outcome: body.outcome, agrees: answered.agrees ?? false))
        } catch {
            return WorkflowRoutes.failure(error)
        }
    }

    static let unavailable = JSONResponse.error(
        .serviceUnavailable, code: "unavailable", CaseQuality.unavailableMessage)
}
