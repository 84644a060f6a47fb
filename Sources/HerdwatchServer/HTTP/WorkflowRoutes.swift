import Access
import ActivityPub
import Blocklists
import Foundation
import Hummingbird
import Intake
import NIOCore
import Reputation
import ReviewQueue

extension HerdwatchRequestContext {
    /// Who is acting: the principal `PermissionMiddleware` (a token) or the workbench's session put in the context.
    var actingPrincipal: Principal {
        principal ?? Principal(account: nil, token: token, via: .api)
    }
}

/// Puts a permission check in front of a group's routes: `group` with the middleware added.
typealias PermissionGuard =
    @Sendable (RouterGroup<HerdwatchRequestContext>, Permission) -> RouterGroup<HerdwatchRequestContext>

/// The workbench's JSON API under `/herdwatch/api/v1` (bearer tokens; each group names the permission it needs):
/// - `GET cases?state=&queue=&limit=`: cases by priority, then age, with counts per state;
/// - `POST cases/next` (`{"queue": NAME, "lease_seconds": N}`, both optional): lease the next case, 204 when none;
/// - `POST cases/ID/claim|renew|release` (`{"version": N}` optional);
/// - `POST cases/ID/decide` (`{"version": N, "actions": ["reject", "suspend_actor"], "reason": "spam", "note": "…"}`);
/// - `POST cases/ID/notes` (`{"text": "…", "on": "case" | "actor" | "domain"}`);
/// - `POST cases/ID/cluster`: preview the campaign cluster of a case (its open near-duplicates): counts of cases,
///   actors and domains, a sample of each, and each case's version;
/// - `POST cases/bulk` (`{"cases": [{"id": N, "version": N}], "actions": […], "reason": …, "note": …}`): decide each
///   case, all under one batch id in the audit log;
/// - `GET audit?case=&limit=` (`viewAudit`);
/// - `GET proposals?state=`, `POST proposals/ID/confirm|refuse` (`confirmProposals` to resolve);
/// - `GET queues`; `PUT queues/NAME` (a filter: `{"state", "action", "rule_id", "rule_tag", "domain", "language"}`),
///   `DELETE queues/NAME`, `GET|PUT accounts/ID/queues` (`{"queues": [NAME]}`) (`manageQueues`).
/// Errors: `{"error", "code"}` with `not_found` 404, `stale_version`, `leased_elsewhere`, `bad_transition` 409,
/// `bad_reason`, `bad_decision` 422, `forbidden` 403.
struct WorkflowRoutes: Sendable {
    let cases: any CaseStore
    let decisions: CaseDecisions
    let replayWindow: TimeInterval
    /// Carries out confirmed `block_domain` proposals; nil when the store keeps no blocklist review.
    var blocklistReview: BlocklistReview? = nil

    /// Adds the routes: those under `cases` to `cases` (already guarded by `decide`), the others to `api` behind
    /// `requiring`.
    static func register(
        on api: RouterGroup<HerdwatchRequestContext>, cases: RouterGroup<HerdwatchRequestContext>,
        requiring: PermissionGuard,
        _ routes: Self
    ) {
        cases
            .get(use: routes.list)
            .post("next", use: routes.next)
            .post(":id/claim", use: routes.claim)
            .post(":id/renew", use: routes.renew)
            .post(":id/release", use: routes.release)
            .post(":id/decide", use: routes.decide)
            .post(":id/notes", use: routes.addNote)
            .post(":id/cluster", use: routes.cluster)
            .post("bulk", use: routes.bulk)
        requiring(api.group("audit"), .viewAudit).get(use: routes.audit)
        requiring(api.group("queues"), .decide).get(use: routes.queues)
        requiring(api.group("queues"), .manageQueues)
            .put(":name", use: routes.saveQueue)
            .delete(":name", use: routes.deleteQueue)
        requiring(api.group("accounts"), .manageQueues)
            .get(":id/queues", use: routes.assignedQueues)
            .put(":id/queues", use: routes.assignQueues)
        requiring(api.group("proposals"), .decide).get(use: routes.proposals)
        // Checked before the proposal is looked up: someone who may not resolve proposals learns nothing about them.
        requiring(api.group("proposals"), .confirmProposals)
            .post(":id/confirm") { request, context in await routes.resolve(request, context, confirm: true) }
            .post(":id/refuse") { request, context in await routes.resolve(request, context, confirm: false) }
    }

    @Sendable func list(_ request: Request, context: HerdwatchRequestContext) async -> Response {
        let query = request.uri.queryParameters
        let limit = min(max(query["limit"].flatMap { Int(String($0)) } ?? 100, 1), 1000)
        var filter = CaseFilter(state: .open)
        let principal = context.actingPrincipal
        if principal.role == .contractor {
            // A contractor sees the queues assigned to them, one at a time.
            guard let queueName = query["queue"].map(String.init) else {
                return JSONResponse.error(.forbidden, code: "forbidden", "name one of your queues: ?queue=NAME")
            }
            do {
                _ = try await cases.nextFilters(for: principal, queue: queueName)
            } catch {
                return Self.failure(error)
            }
        }
        if let queueName = query["queue"].map(String.init) {
            do {
                guard let queue = try await cases.queues().first(where: { $0.name == queueName }) else {
                    return JSONResponse.error(.notFound, code: "not_found", "there is no queue '\(queueName)'")
                }
                filter = queue.filter
            } catch {
                return Self.unavailable
            }
        }
        if let state = query["state"].map(String.init) {
            switch state {
            case "all": filter.state = nil
            // The states before the workflow: closed with that outcome.
            case "approved", "rejected":
                filter.state = .closed
                filter.outcome = ReviewCase.Outcome(rawValue: state)
            default:
                guard let parsed = ReviewCase.State(rawValue: state) else {
                    return JSONResponse.error(
                        .badRequest, code: "bad_state",
                        "state must be open, in_review, escalated, closed, approved, rejected or all")
                }
                filter.state = parsed
            }
        }
        do {
            let list = try await cases.cases(matching: filter, limit: limit)
            let counts = try await cases.caseCounts()
            let now = Date()
            return CaseList(
                cases: list.map { CaseResponse($0, replayWindow: replayWindow, detailed: false, now: now) },
                counts: Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) })
            ).response
        } catch {
            return Self.unavailable
        }
    }

    struct NextBody: Decodable {
        var queue: String?
        var leaseSeconds: Int?
    }

    @Sendable func next(_ request: Request, context: HerdwatchRequestContext) async -> Response {
        let body: NextBody
        switch await Self.decode(NextBody.self, request, optional: true) {
        case .success(let decoded): body = decoded ?? NextBody()
        case .failure(let failure): return failure.response
        }
        do {
            let lease = TimeInterval(min(max(body.leaseSeconds ?? Int(ReviewCase.Lease.defaultDuration), 30), 3600))
            guard
                let leased = try await cases.next(
                    for: context.actingPrincipal, queue: body.queue, lease: lease, at: Date())
            else {
                return Response(status: .noContent)
            }
            return try await detail(leased, context)
        } catch {
            return Self.failure(error)
        }
    }

    struct VersionBody: Decodable {
        var version: Int?
        var leaseSeconds: Int?
    }

    @Sendable func claim(_ request: Request, context: HerdwatchRequestContext) async -> Response {
        await lease(request, context) { .claim(lease: $0) }
    }

    @Sendable func renew(_ request: Request, context: HerdwatchRequestContext) async -> Response {
        await lease(request, context) { .renew(lease: $0) }
    }

    @Sendable func release(_ request: Request, context: HerdwatchRequestContext) async -> Response {
        await lease(request, context) { _ in .release }
    }

    private func lease(
        _ request: Request, _ context: HerdwatchRequestContext, _ kind: (TimeInterval) -> CaseCommand.Kind
    ) async -> Response {
        guard let id = Self.id(context) else { return CaseRoutes.notFound(context.parameters.get("id") ?? "") }
        let body: VersionBody
        switch await Self.decode(VersionBody.self, request, optional: true) {
        case .success(let decoded): body = decoded ?? VersionBody()
        case .failure(let failure): return failure.response
        }
        let duration = TimeInterval(min(max(body.leaseSeconds ?? Int(ReviewCase.Lease.defaultDuration), 30), 3600))
        do {
            let changed = try await cases.apply(
                CaseCommand(kind(duration), by: context.actingPrincipal, version: body.version, at: Date()), to: id)
            return CaseResponse(changed, replayWindow: replayWindow, detailed: false).response
        } catch {
            return Self.failure(error)
        }
    }

    struct DecideBody: Decodable {
        var version: Int?
        var actions: [String]
        var reason: String
        var note: String?
    }

    @Sendable func decide(_ request: Request, context: HerdwatchRequestContext) async -> Response {
        guard let id = Self.id(context) else { return CaseRoutes.notFound(context.parameters.get("id") ?? "") }
        let body: DecideBody
        switch await Self.decode(DecideBody.self, request, optional: false) {
        case .success(let decoded?): body = decoded
        case .success(nil): return Self.badBody("send the decision as JSON")
        case .failure(let failure): return failure.response
        }
        guard let version = body.version else {
            return Self.badBody(
                "a decision must carry the case's `version` (from the case you looked at), so a stale page cannot act twice"
            )
        }
        let actions: [Decision.Action]
        switch Self.actions(body.actions) {
        case .success(let parsed): actions = parsed
        case .failure(let failure): return failure.response
        }
        do {
            let decided = try await decisions.decide(
                id: id, Decision(actions: actions, reason: body.reason, note: body.note), by: context.actingPrincipal,
                version: version)
            return CaseResponse(decided, replayWindow: replayWindow, detailed: false).response
        } catch {
            return Self.response(error)
        }
    }

    struct NoteBody: Decodable {
        var text: String
        var on: String?
    }

    @Sendable func addNote(_ request: Request, context: HerdwatchRequestContext) async -> Response {
        guard let id = Self.id(context) else { return CaseRoutes.notFound(context.parameters.get("id") ?? "") }
        let body: NoteBody
        switch await Self.decode(NoteBody.self, request, optional: false) {
        case .success(let decoded?): body = decoded
        case .success(nil): return Self.badBody("send the note as JSON: {\"text\": \"…\"}")
        case .failure(let failure): return failure.response
        }
        let text = body.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, text.utf8.count <= 10_000 else {
            return Self.badBody("a note needs text, at most 10,000 bytes")
        }
        do {
            guard let reviewCase = try await cases.reviewCase(id: id) else { return CaseRoutes.notFound(String(id)) }
            let subject: CaseNote.Subject
            switch CaseNote.Subject.named(body.on, of: reviewCase) {
            case .success(let named): subject = named
            case .failure(let error): return Self.badBody(error.message)
            }
            let note = try await cases.addNote(text, on: subject, by: context.actingPrincipal, at: Date())
            var writer = JSONWriter()
            NoteResponse(note).write(into: &writer)
            return JSONResponse.bytes(writer.bytes, status: .created)
        } catch {
            return Self.failure(error)
        }
    }

    @Sendable func cluster(_ request: Request, context: HerdwatchRequestContext) async -> Response {
        guard let id = Self.id(context) else { return CaseRoutes.notFound(context.parameters.get("id") ?? "") }
        do {
            guard let seed = try await cases.reviewCase(id: id) else { return CaseRoutes.notFound(String(id)) }
            let principal = context.actingPrincipal
            try seed.checkQueueLimits(try await cases.queueFilters(for: principal), for: principal)
            let members = try await CampaignCluster.openMembers(
                of: seed, visibleTo: principal, in: cases, work: decisions.work)
            return JSONResponse.make(BulkPreview(members))
        } catch {
            return Self.failure(error)
        }
    }

    struct BulkBody: Decodable {
        var cases: [BulkPreview.Item]
        var actions: [String]
        var reason: String
        var note: String?
    }

    struct BulkResult: Encodable {
        struct Failure: Encodable {
            var id: Int64
            var code: String
            var error: String
        }

        var batchId: String
        var decided: [Int64]
        var failed: [Failure]
    }

    @Sendable func bulk(_ request: Request, context: HerdwatchRequestContext) async -> Response {
        let body: BulkBody
        switch await Self.decode(BulkBody.self, request, optional: false) {
        case .success(let decoded?): body = decoded
        case .success(nil): return Self.badBody("send the cases and the decision as JSON")
        case .failure(let failure): return failure.response
        }
        guard !body.cases.isEmpty, body.cases.count <= 1000 else {
            return Self.badBody("a bulk decision covers 1 to 1000 cases")
        }
        let actions: [Decision.Action]
        switch Self.actions(body.actions) {
        case .success(let parsed): actions = parsed
        case .failure(let failure): return failure.response
        }
        let decision = Decision(actions: actions, reason: body.reason, note: body.note)
        let batchID = UUID().uuidString.lowercased()
        var result = BulkResult(batchId: batchID, decided: [], failed: [])
        for item in body.cases {
            do {
                _ = try await decisions.decide(
                    id: item.id, decision, by: context.actingPrincipal, version: item.version, batchID: batchID)
                result.decided.append(item.id)
            } catch {
                // A refused reason or decision is the same for every case: stop at the first.
                if error.code == .badReason || error.code == .badDecision || error.code == .forbidden,
                    result.decided.isEmpty
                {
                    return Self.response(error)
                }
                result.failed.append(.init(id: item.id, code: error.code.rawValue, error: error.message))
            }
        }
        return JSONResponse.make(result)
    }

    static func actions(_ names: [String]) -> Result<[Decision.Action], ResponseFailure> {
        var actions: [Decision.Action] = []
        for name in names {
            guard let action = Decision.Action(rawValue: name) else {
                return .failure(
                    ResponseFailure(
                        JSONResponse.error(
                            .unprocessableContent, code: "bad_decision",
                            "unknown action '\(name)'; use \(Decision.Action.allCases.map(\.rawValue).joined(separator: ", "))"
                        )))
            }
            actions.append(action)
        }
        return .success(actions)
    }

    @Sendable func queues(_ request: Request, context: HerdwatchRequestContext) async -> Response {
        do {
            return JSONResponse.make(["queues": try await cases.queues()])
        } catch {
            return Self.failure(error)
        }
    }

    @Sendable func saveQueue(_ request: Request, context: HerdwatchRequestContext) async -> Response {
        let name = context.parameters.get("name") ?? ""
        guard !name.isEmpty, name.count <= 100 else { return Self.badBody("a queue name has 1 to 100 characters") }
        let filter: CaseFilter
        switch await Self.decode(CaseFilter.self, request, optional: true, snakeCase: false) {
        case .success(let decoded): filter = decoded ?? .all
        case .failure(let failure): return failure.response
        }
        do {
            let queue = CaseQueue(name: name, filter: filter)
            try await cases.saveQueue(queue)
            return JSONResponse.make(queue)
        } catch {
            return Self.failure(error)
        }
    }

    @Sendable func deleteQueue(_ request: Request, context: HerdwatchRequestContext) async -> Response {
        let name = context.parameters.get("name") ?? ""
        do {
            guard try await cases.deleteQueue(named: name) else {
                return JSONResponse.error(.notFound, code: "not_found", "there is no queue '\(name)'")
            }
            return Response(status: .noContent)
        } catch {
            return Self.failure(error)
        }
    }

    struct Assignment: Codable {
        var queues: [String]
    }

    @Sendable func assignedQueues(_ request: Request, context: HerdwatchRequestContext) async -> Response {
        guard let id = Self.id(context) else {
            return JSONResponse.error(.notFound, code: "not_found", "there is no such account")
        }
        do {
            return JSONResponse.make(Assignment(queues: try await cases.assignedQueues(account: id)))
        } catch {
            return Self.failure(error)
        }
    }

    @Sendable func assignQueues(_ request: Request, context: HerdwatchRequestContext) async -> Response {
        guard let id = Self.id(context) else {
            return JSONResponse.error(.notFound, code: "not_found", "there is no such account")
        }
        let body: Assignment
        switch await Self.decode(Assignment.self, request, optional: false) {
        case .success(let decoded?): body = decoded
        case .success(nil): return Self.badBody("send {\"queues\": [NAME, …]}")
        case .failure(let failure): return failure.response
        }
        do {
            let known = Set(try await cases.queues().map(\.name))
            if let unknown = body.queues.first(where: { !known.contains($0) }) {
                return JSONResponse.error(
                    .notFound, code: "not_found", "there is no queue '\(unknown)'; create it first (PUT queues/NAME)")
            }
            try await cases.assignQueues(body.queues, toAccount: id)
            return JSONResponse.make(Assignment(queues: try await cases.assignedQueues(account: id)))
        } catch {
            return Self.failure(error)
        }
    }

    @Sendable func audit(_ request: Request, context: HerdwatchRequestContext) async -> Response {
        let query = request.uri.queryParameters
        let limit = min(max(query["limit"].flatMap { Int(String($0)) } ?? 100, 1), 1000)
        let caseID = query["case"].flatMap { Int64(String($0)) }
        do {
            return JSONResponse.make(["entries": try await cases.audit(caseID: caseID, limit: limit)])
        } catch {
            return Self.failure(error)
        }
    }

    @Sendable func proposals(_ request: Request, context: HerdwatchRequestContext) async -> Response {
        let state = request.uri.queryParameters["state"].map(String.init) ?? "pending"
        var wanted: Proposal.State?
        if state != "all" {
            guard let parsed = Proposal.State(rawValue: state) else {
                return JSONResponse.error(
                    .badRequest, code: "bad_state", "state must be pending, confirmed, refused or all")
            }
            wanted = parsed
        }
        do {
            return JSONResponse.make(["proposals": try await cases.proposals(state: wanted, limit: 1000)])
        } catch {
            return Self.failure(error)
        }
    }

    func resolve(_ request: Request, _ context: HerdwatchRequestContext, confirm: Bool) async -> Response {
        guard let id = Self.id(context) else {
            return JSONResponse.error(
                .notFound, code: "not_found", "there is no proposal \(context.parameters.get("id") ?? "")")
        }
        do {
            let resolved = try await cases.resolveProposal(
                id: id, confirm: confirm, by: context.actingPrincipal, at: Date())
            try await ProposalEffects.confirmed(
                resolved, by: context.actingPrincipal.displayName, review: blocklistReview, channel: .api)
            return JSONResponse.make(resolved)
        } catch {
            return Self.failure(error)
        }
    }

    /// A case in detail, with its notes (and those on its actor and domain) and the remote reports filed on it;
    /// personal data only when allowed; a contractor sees only cases in their queues.
    func detail(_ reviewCase: ReviewCase, _ context: HerdwatchRequestContext) async throws -> Response {
        try reviewCase.checkQueueLimits(
            try await cases.queueFilters(for: context.actingPrincipal), for: context.actingPrincipal)
        let notes = try await cases.notes(about: .reviewCase(reviewCase.id))
        let reports = try await cases.reports(caseID: reviewCase.id)
        let principal = context.actingPrincipal
        return CaseResponse(
            reviewCase, replayWindow: replayWindow, detailed: true, personalData: principal.allows(.viewPersonalData),
            notes: notes,
            reports: reports
        ).response
    }

    static func id(_ context: HerdwatchRequestContext) -> Int64? {
        context.parameters.get("id").flatMap { Int64($0) }
    }

    static let unavailable = JSONResponse.error(
        .serviceUnavailable, code: "storage_unavailable", "cannot read cases now; retry later")

    static func badBody(_ message: String) -> Response {
        JSONResponse.error(.badRequest, code: "bad_request", message)
    }

    /// A JSON body of at most 64 KiB with snake_case keys; nil for an empty body when `optional`.
    static func decode<Body: Decodable>(
        _ type: Body.Type, _ request: Request, optional: Bool, snakeCase: Bool = true
    ) async -> Result<Body?, ResponseFailure> {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: 64 * 1024)
        } catch {
            return .failure(
                ResponseFailure(
                    JSONResponse.error(.contentTooLarge, code: "too_large", "the body must be at most 64 KiB of JSON")))
        }
        if buffer.readableBytes == 0, optional { return .success(nil) }
        let decoder = JSONDecoder()
        if snakeCase { decoder.keyDecodingStrategy = .convertFromSnakeCase }
        do {
            return .success(try decoder.decode(Body.self, from: Data(buffer.readableBytesView)))
        } catch {
            return .failure(
                ResponseFailure(
                    badBody("the body is not the JSON this endpoint takes (see the README); fix the fields and retry")))
        }
    }

    /// A response carried as an error, for `Result`.
    struct ResponseFailure: Error {
        var response: Response

        init(_ response: Response) {
            self.response = response
        }
    }

    static func failure(_ error: any Error) -> Response {
        if let error = error as? CaseWorkflowError { return response(CaseDecisions.Failure(error)) }
        return unavailable
    }

    static func response(_ failure: CaseDecisions.Failure) -> Response {
        let status: HTTPResponse.Status =
            switch failure.code {
            case .notFound: .notFound
            case .staleVersion, .leasedElsewhere, .badTransition, .inProgress, .replayExpired, .noUpstream: .conflict
            case .badReason, .badDecision: .unprocessableContent
            case .forbidden: .forbidden
            case .upstreamRefused, .upstreamUnreachable: .badGateway
            case .storage: .serviceUnavailable
            }
        return JSONResponse.error(status, code: failure.code.rawValue, failure.message)
    }
}

/// The campaign cluster of a case: the case and the open cases whose text is a near-duplicate of it, by the
/// fingerprint reputation clusters campaigns with (similarity at least 0.5).
enum CampaignCluster {
    static let similarity = 0.5
    /// How many open cases a cluster preview compares with its seed.
    static let scanLimit = 5000

    /// The open cases in `seed`'s cluster that `principal` may see (the seed first), for the API's preview and the
    /// workbench's campaign page alike; the comparison runs on `work`, off the event loop.
    static func openMembers(
        of seed: ReviewCase, visibleTo principal: Principal, in cases: any CaseStore, work: any BlockingWork
    ) async throws -> [ReviewCase] {
        let limits = try await cases.queueFilters(for: principal)
        let open = try await cases.cases(matching: CaseFilter(state: .open), limit: scanLimit).filter {
            (try? $0.checkQueueLimits(limits, for: principal)) != nil
        }
        return try await work.run { members(of: seed, among: open) }
    }

    static func members(of seed: ReviewCase, among candidates: [ReviewCase]) -> [ReviewCase] {
        guard let fingerprint = fingerprint(seed) else { return [seed] }
        let others = candidates.filter { candidate in
            candidate.id != seed.id
                && (self.fingerprint(candidate).map { $0.similarity(to: fingerprint) >= similarity } ?? false)
        }
        return [seed] + others
    }

    static func fingerprint(_ reviewCase: ReviewCase) -> CampaignFingerprint? {
        guard let activity = try? Activity.decode(reviewCase.body) else { return nil }
        let subject = Normalizer.subject(for: activity)
        return CampaignFingerprint.make(subject.text(.content) + "\n" + subject.text(.summary))
    }
}
