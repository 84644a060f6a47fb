import Access
import Blocklists
import ActivityPub
import Foundation
import Hummingbird
import Intake
import Logging
import NIOCore
import ReviewQueue

/// Herdwatch's routes, one group per surface, each behind the permission it needs (`PermissionMiddleware`; which
/// roles and token scopes grant it: `Account.Role.permissions`, `AccessScope.covers`):
/// - `GET /healthz`, `GET /metrics`: open;
/// - `POST /api/v1/check`: the hook (`check`: a `check` token);
/// - `GET /herdwatch/api/v1/cases[/ID]`, `POST /herdwatch/api/v1/cases/ID/approve|reject`: the case API
///   (`decide`: a `moderate` token, of a user of any role), and the workbench's JSON routes beside it
///   (`WorkflowRoutes`, each group behind its permission);
/// - `POST /herdwatch/api/v1/rules/reload`: reload the rule directory (`administer`: an `admin` token of an admin);
/// - `/api/v1/admin/domain_blocks…`, `/api/v1/admin/measures`, `/api/v1/instance/domain_blocks`: Mastodon's
///   domain-block API (`AdminDomainBlockRoutes`: `readBlocklist` / `writeBlocklist`, the public list open);
/// - `/herdwatch/…`: the browser workbench (`WebRoutes`; a session, not a token);
/// - anything else: the inbox firewall (`FirewallMiddleware`), which gates deliveries and passes the rest through
///   to the instance.
enum HerdwatchRouter {
    struct Dependencies: Sendable {
        var gate: Gate
        var access: AccessControl
        var decisions: CaseDecisions
        var rules: RuleReloader
        var firewall: FirewallMiddleware
        var replayWindow: TimeInterval
        var metrics: ServerMetrics
        var logger: Logger
        /// The browser workbench under `/herdwatch/`, and where its sessions are kept.
        var web: WebRoutes
        var sessions: any PersistDriver
        /// Metrics, QA and retention of the review queue (`QualityRoutes`).
        var quality: CaseQuality
        var blocklist: AppliedBlocklist
        /// Review of subscription drafts (`BlocklistReviewRoutes`); nil when the store keeps no review.
        var blocklistReview: BlocklistReview?
    }

    static func make(_ dependencies: Dependencies) -> Router<HerdwatchRequestContext> {
        let router = Router(context: HerdwatchRequestContext.self)
        router.add(middleware: dependencies.firewall)
        let metrics = dependencies.metrics
        router.get("/healthz") { _, _ in JSONResponse.make(["status": "ok"]) }
        let quality = dependencies.quality
        router.get("/metrics") { _, _ in
            await quality.refreshGauges()
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.render())))
        }

        let hook = HookRoutes(gate: dependencies.gate, bodies: dependencies.firewall.bodies, metrics: metrics)
        router.group("/api/v1")
            .add(middleware: PermissionMiddleware(.check, access: dependencies.access, logger: dependencies.logger))
            .post("check", use: hook.check)

        let api = router.group("/herdwatch/api/v1")
        let cases = CaseRoutes(cases: dependencies.gate.cases, decisions: dependencies.decisions, replayWindow: dependencies.replayWindow)
        let requiring: PermissionGuard = { [access = dependencies.access, logger = dependencies.logger] group, permission in
            group.add(middleware: PermissionMiddleware(permission, access: access, logger: logger))
        }
        let caseGroup = requiring(api.group("cases"), .decide)
            .get(":id", use: cases.show)
            .post(":id/approve", use: cases.approve)
            .post(":id/reject", use: cases.reject)
        WorkflowRoutes.register(
            on: api, cases: caseGroup, requiring: requiring,
            WorkflowRoutes(
                cases: dependencies.gate.cases, decisions: dependencies.decisions, replayWindow: dependencies.replayWindow,
                blocklistReview: dependencies.blocklistReview))

        QualityRoutes.register(on: api, requiring: requiring, QualityRoutes(quality: quality))

        let rules = dependencies.rules
        api.group("rules")
            .add(middleware: PermissionMiddleware(.administer, access: dependencies.access, logger: dependencies.logger))
            .post("reload") { _, context in
                let outcome = await rules.reload(by: context.principal?.displayName ?? "api")
                return RuleReloadResponse.response(outcome)
            }
        AdminDomainBlockRoutes(blocklist: dependencies.blocklist, bodies: dependencies.firewall.bodies).register(on: router, requiring: requiring)
        if let review = dependencies.blocklistReview {
            BlocklistReviewRoutes(review: review).register(on: api, requiring: requiring)
        }
        dependencies.web.register(on: router, sessions: dependencies.sessions)
        return router
    }
}

/// `POST /api/v1/check`.
struct HookRoutes: Sendable {
    let gate: Gate
    let bodies: BodyReader
    let metrics: ServerMetrics

    @Sendable func check(_ request: Request, context: HerdwatchRequestContext) async -> Response {
        let body: [UInt8]
        switch await bodies.collect(request) {
        case .success(let bytes): body = bytes
        case .failure(let response): return response
        }
        let envelope: Envelope
        do {
            envelope = try Envelope.parse(body)
        } catch {
            metrics.refused(reason: "bad_activity")
            return JSONResponse.error(.badRequest, code: GateError.Code.badActivity.rawValue, error.description)
        }
        let outcome = await gate.check(envelope)
        switch outcome.disposition {
        case .refuse(let status, let error):
            return JSONResponse.error(HTTPResponse.Status(code: status), code: error.code.rawValue, error.message)
        case .forward, .withhold:
            guard let verdict = outcome.verdict else {
                return JSONResponse.error(.internalServerError, code: "no_verdict", "the activity was not evaluated")
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: ResponseBody(
                    byteBuffer: ByteBuffer(
                        bytes: CheckResponse(id: envelope.id ?? envelope.activity.id, outcome: outcome, verdict: verdict).json())))
        }
    }
}

/// The case API.
struct CaseRoutes: Sendable {
    let cases: any CaseStore
    let decisions: CaseDecisions
    let replayWindow: TimeInterval

    @Sendable func show(_ request: Request, context: HerdwatchRequestContext) async -> Response {
        let text = context.parameters.get("id") ?? ""
        guard let id = Int64(text) else { return Self.notFound(text) }
        do {
            guard let reviewCase = try await cases.reviewCase(id: id) else { return Self.notFound(text) }
            return try await WorkflowRoutes(cases: cases, decisions: decisions, replayWindow: replayWindow).detail(reviewCase, context)
        } catch {
            return WorkflowRoutes.failure(error)
        }
    }

    @Sendable func approve(_ request: Request, context: HerdwatchRequestContext) async -> Response {
        await decide(context, approve: true)
    }

    @Sendable func reject(_ request: Request, context: HerdwatchRequestContext) async -> Response {
        await decide(context, approve: false)
    }

    private func decide(_ context: HerdwatchRequestContext, approve: Bool) async -> Response {
        let text = context.parameters.get("id") ?? ""
        guard let id = Int64(text) else { return Self.notFound(text) }
        let principal = context.actingPrincipal
        do {
            let decided =
                if approve {
                    try await decisions.approve(id: id, by: principal)
                } else {
                    try await decisions.reject(id: id, by: principal)
                }
            return CaseResponse(decided, replayWindow: replayWindow, detailed: false).response
        } catch {
            // These routes predate the workflow: a decided case still answers `not_open`.
            guard error.code != .badTransition else {
                return JSONResponse.error(.conflict, code: "not_open", error.message)
            }
            return WorkflowRoutes.response(error)
        }
    }

    static func notFound(_ id: String) -> Response {
        JSONResponse.error(.notFound, code: "not_found", "there is no case \(id)")
    }
}

/// The answer to `POST /herdwatch/api/v1/rules/reload`: 200 with the new version, or 422 with the errors when the
/// set does not load (the rules in use stay).
enum RuleReloadResponse {
    struct Reloaded: Encodable {
        var status = "reloaded"
        var previousVersion: String
        var version: String
        var rules: Int
        var warnings: [String]
    }

    struct Refused: Encodable {
        var status = "refused"
        var code = "rules_invalid"
        var error: String
        var version: String
        var errors: [String]
    }

    static func response(_ outcome: RuleReloader.Outcome) -> Response {
        switch outcome {
        case .reloaded(let previous, let version, let rules, let warnings):
            JSONResponse.make(Reloaded(previousVersion: previous, version: version, rules: rules, warnings: warnings))
        case .refused(let version, let errors):
            JSONResponse.make(
                Refused(
                    error: "the rule set has errors, so the rules in use (\(version)) stay; fix them (see `herdwatch rules lint`) and reload again",
                    version: version, errors: errors),
                status: .unprocessableContent)
        }
    }
}
