import Access
import Foundation
import Hummingbird
import ReviewQueue

/// The JSON API of the review queue's quality, under `/herdwatch/api/v1`:
/// - `GET metrics` (`viewMetrics`): `CaseMetrics` with snake_case keys, plus `opened_per_hour` and
///   `closed_per_hour` (averages over 24 hours);
/// - `PUT queues/NAME/sla` (`manageQueues`): `{"minutes": N}` sets the queue's service level, `{"minutes": null}`
///   goes back to `review.slaMinutes`.
struct QualityRoutes: Sendable {
    let quality: CaseQuality

    static func register(on api: RouterGroup<HerdwatchRequestContext>, requiring: PermissionGuard, _ routes: Self) {
        requiring(api.group("metrics"), .viewMetrics).get(use: routes.metrics)
        requiring(api.group("queues"), .manageQueues).put(":name/sla", use: routes.setSLA)
    }

    /// `CaseMetrics` and the hourly rates derived from it.
    struct MetricsBody: Encodable {
        var metrics: CaseMetrics

        enum Rates: String, CodingKey {
            case openedPerHour
            case closedPerHour
        }

        func encode(to encoder: any Encoder) throws {
            try metrics.encode(to: encoder)
            var rates = encoder.container(keyedBy: Rates.self)
            try rates.encode(metrics.openedPerHour, forKey: .openedPerHour)
            try rates.encode(metrics.closedPerHour, forKey: .closedPerHour)
        }
    }

    @Sendable func metrics(_ request: Request, context: HerdwatchRequestContext) async -> Response {
        do {
            guard let current = try await quality.current() else { return Self.unavailable }
            return JSONResponse.make(MetricsBody(metrics: current))
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

    static let unavailable = JSONResponse.error(
        .serviceUnavailable, code: "unavailable", CaseQuality.unavailableMessage)
}
