import Access
import Blocklists
import Foundation
import Hummingbird
import ReviewQueue
import RuleEngine

/// Review of subscription drafts under `/herdwatch/api/v1/blocklist` (bearer tokens, or the workbench's session):
/// - `GET drafts` (`readBlocklist`): the drafts grouped as additions, escalations, downgrades and retractions, each
///   with its provenance, impact and whether it is held (a mass retraction);
/// - `POST drafts/apply` (`writeBlocklist`; `{"all": true}`, `{"groups": ["addition"]}` or `{"domains": [..]}`, and
///   `"confirm_mass_retraction": true` to include held retractions): one batch, 201 with it;
/// - `POST drafts/dismiss` (`writeBlocklist`; `{"domains": [..]}`): remembers each domain's current proposal;
/// - `GET batches?limit=` (`readBlocklist`), `POST batches/ID/undo` (`writeBlocklist`): 201 with the undoing batch.
/// Errors: `not_found` 404, `changed` 409, `mass_retraction` 409 (confirm it), `nothing_selected` 422.
struct BlocklistReviewRoutes: Sendable {
    typealias Context = HerdwatchRequestContext

    let review: BlocklistReview

    func register(on api: RouterGroup<Context>, requiring: PermissionGuard) {
        requiring(api.group("blocklist/drafts"), .readBlocklist).get(use: drafts)
        requiring(api.group("blocklist/drafts"), .writeBlocklist)
            .post("apply", use: apply)
            .post("dismiss", use: dismiss)
        requiring(api.group("blocklist/batches"), .readBlocklist).get(use: batches)
        requiring(api.group("blocklist/batches"), .writeBlocklist).post(":id/undo", use: undo)
    }

    struct ApplyBody: Decodable {
        var all: Bool?
        var groups: [String]?
        var domains: [String]?
        var confirmMassRetraction: Bool?
    }

    struct DismissBody: Decodable {
        var domains: [String]
    }

    @Sendable func drafts(_ request: Request, context: Context) async -> Response {
        await answer { JSONResponse.make(ReviewJSON.Drafts(try await review.drafts())) }
    }

    @Sendable func apply(_ request: Request, context: Context) async -> Response {
        let body: ApplyBody
        switch await WorkflowRoutes.decode(ApplyBody.self, request, optional: false) {
        case .success(let decoded?): body = decoded
        case .success(nil):
            return WorkflowRoutes.badBody("send {\"all\": true}, {\"groups\": [...]} or {\"domains\": [...]}")
        case .failure(let failure): return failure.response
        }
        let selection: BlocklistReview.Selection
        if body.all == true {
            selection = .all
        } else if let groups = body.groups {
            var kinds = Set<BlocklistDraft.Kind>()
            for group in groups {
                guard let kind = BlocklistDraft.Kind(rawValue: group) else {
                    return JSONResponse.error(
                        .unprocessableContent, code: "bad_group",
                        "group \(String(reflecting: group)) is not one of addition, escalation, downgrade, retraction")
                }
                kinds.insert(kind)
            }
            selection = .groups(kinds)
        } else if let domains = body.domains {
            selection = .domains(domains)
        } else {
            return WorkflowRoutes.badBody("send {\"all\": true}, {\"groups\": [...]} or {\"domains\": [...]}")
        }
        let principal = context.actingPrincipal
        return await answer {
            let batch = try await review.apply(
                selection, confirmMassRetraction: body.confirmMassRetraction ?? false, actor: principal.displayName,
                channel: principal.via == .ui ? .ui : .api)
            return JSONResponse.make(ReviewJSON.Batch(batch), status: .created)
        }
    }

    @Sendable func dismiss(_ request: Request, context: Context) async -> Response {
        let body: DismissBody
        switch await WorkflowRoutes.decode(DismissBody.self, request, optional: false) {
        case .success(let decoded?): body = decoded
        case .success(nil): return WorkflowRoutes.badBody("send {\"domains\": [...]}")
        case .failure(let failure): return failure.response
        }
        let actor = context.actingPrincipal.displayName
        return await answer {
            var dismissed: [ReviewJSON.Dismissal] = []
            for domain in body.domains {
                dismissed.append(ReviewJSON.Dismissal(try await review.dismiss(domain: domain, actor: actor)))
            }
            return JSONResponse.make(["dismissed": dismissed])
        }
    }

    @Sendable func batches(_ request: Request, context: Context) async -> Response {
        var limit = 20
        if let text = request.uri.queryParameters["limit"] {
            guard let value = Int(text), (1...500).contains(value) else {
                return JSONResponse.error(
                    .unprocessableContent, code: "bad_limit", "limit must be a whole number from 1 to 500")
            }
            limit = value
        }
        return await answer {
            JSONResponse.make(["batches": try await review.batches(limit: limit).map(ReviewJSON.Batch.init)])
        }
    }

    @Sendable func undo(_ request: Request, context: Context) async -> Response {
        guard let id = context.parameters.get("id").flatMap(Int64.init) else {
            return JSONResponse.error(.notFound, code: "not_found", "the batch id must be a number from the batch list")
        }
        let principal = context.actingPrincipal
        return await answer {
            let batch = try await review.undo(
                batch: id, actor: principal.displayName, channel: principal.via == .ui ? .ui : .api)
            return JSONResponse.make(ReviewJSON.Batch(batch), status: .created)
        }
    }

    /// Runs `body`, answering review errors with their status and anything else with 500.
    private func answer(_ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch let error as BlocklistReviewError {
            return Self.response(error)
        } catch {
            return JSONResponse.error(
                .internalServerError, code: "storage",
                "the blocklist could not be read or written (\(error)); check the server log and the database file")
        }
    }

    static func response(_ error: BlocklistReviewError) -> Response {
        switch error.code {
        case .notFound: JSONResponse.error(.notFound, code: "not_found", error.message)
        case .changed: JSONResponse.error(.conflict, code: "changed", error.message)
        case .unconfirmedMassRetraction: JSONResponse.error(.conflict, code: "mass_retraction", error.message)
        case .nothingSelected: JSONResponse.error(.unprocessableContent, code: "nothing_selected", error.message)
        }
    }
}

/// Impact from the case store: one scan of the most recent cases, each counted for every drafted domain that
/// covers its actor's host (the domain or a parent of it).
struct CaseStoreImpact: DomainImpactSource {
    let cases: any CaseStore
    /// How many cases the scan reads at most.
    var limit = 100_000

    func impact(of domains: [String]) async throws -> [String: DomainImpact] {
        let wanted = Set(domains)
        var impact: [String: DomainImpact] = [:]
        var actors: [String: Set<String>] = [:]
        for reviewCase in try await cases.cases(matching: .all, limit: limit) {
            guard let host = reviewCase.host else { continue }
            var suffix = Substring(host)
            while true {
                let domain = String(suffix)
                if wanted.contains(domain) {
                    if let actor = reviewCase.subjectActor { actors[domain, default: []].insert(actor) }
                    var counts = impact[domain] ?? DomainImpact()
                    if reviewCase.action == .hold { counts.heldCases += 1 }
                    if reviewCase.action == .flag { counts.flaggedCases += 1 }
                    impact[domain] = counts
                }
                guard let dot = suffix.firstIndex(of: ".") else { break }
                suffix = suffix[suffix.index(after: dot)...]
            }
        }
        for (domain, seen) in actors { impact[domain, default: DomainImpact()].actors = seen.count }
        return impact
    }
}
