import Access
import Blocklists
import Foundation
import Hummingbird

extension WebRoutes {
    /// `/herdwatch/blocklists` (admins and leads: `writeBlocklist`): the drafts grouped with provenance and impact,
    /// approve or dismiss per item or per group, held mass retractions with their confirmation, and the recent
    /// batches with undo. Forms are CSRF-checked as every form; what peers wrote is only ever escaped text.
    func registerBlocklists(on signedIn: RouterGroup<Context>) {
        signedIn.get("blocklists", use: blocklistsPage)
        signedIn.post("blocklists/apply", use: applyDrafts)
        signedIn.post("blocklists/dismiss", use: dismissDrafts)
        signedIn.post("blocklists/batches/:id/undo", use: undoBatch)
    }

    static let blocklistGroups: [(kind: BlocklistDraft.Kind, title: String)] = [
        (.addition, "Additions"), (.escalation, "Escalations"), (.downgrade, "Downgrades"),
        (.retraction, "Retractions"),
    ]

    func blocklistsPage(_ request: Request, context: Context) async -> Response {
        guard context.principal?.allows(.writeBlocklist) ?? false, let review = blocklistReview else {
            return forbidden(context, "Only leads and admins review blocklist drafts.")
        }
        let drafts: BlocklistDrafts
        let batches: [BlocklistBatch]
        do {
            drafts = try await review.drafts()
            batches = try await review.batches(limit: 20)
        } catch {
            return unavailable(context)
        }
        let groups: [[String: Any]] = Self.blocklistGroups.map { group in
            let items = drafts.group(group.kind)
            return [
                "kind": group.kind.rawValue, "title": group.title, "count": String(items.count),
                "hasItems": !items.isEmpty,
                "hasHeld": items.contains(where: \.isHeld),
                "items": items.map { draft -> [String: Any] in
                    [
                        "domain": draft.domain,
                        "applied": draft.draft.applied.map { DraftDismissal.policy(of: $0) } ?? "none",
                        "proposed": DraftDismissal.policy(of: draft.draft.proposed), "held": draft.isHeld,
                        "owner": draft.owner ?? "",
                        "support": draft.support.map {
                            [
                                "subscription": $0.subscription, "severity": $0.severity.rawValue,
                                "comment": $0.publicComment,
                                "private": $0.privateComment,
                            ]
                        },
                        "actors": String(draft.impact.actors), "held_cases": String(draft.impact.heldCases),
                        "flagged_cases": String(draft.impact.flaggedCases),
                    ]
                },
            ]
        }
        return page(
            "blocklists", title: "Blocklists", context: context,
            [
                "groups": groups, "hasDrafts": !drafts.isEmpty, "hasBatches": !batches.isEmpty,
                "share": String(Int(review.settings.massRetractionShare * 100)),
                "batches": batches.map { batch -> [String: Any] in
                    [
                        "id": String(batch.id), "at": Self.iso(batch.at), "actor": batch.actor,
                        "via": batch.channel.rawValue,
                        "undoes": batch.undoes.map { String($0) } ?? "",
                        "items": batch.items.map {
                            [
                                "domain": $0.domain,
                                "before": $0.before.map { DraftDismissal.policy(of: $0) } ?? "none",
                                "after": DraftDismissal.policy(of: $0.after),
                            ]
                        },
                    ]
                },
            ])
    }

    struct DraftForm: SessionForm {
        var csrf: String
        var domain: String?
        var group: String?
        var confirm: String?
    }

    /// The drafts a form names: one domain, or every draft of a group.
    private func selection(_ form: DraftForm) -> BlocklistReview.Selection? {
        if let domain = form.domain, !domain.isEmpty { return .domains([domain]) }
        if let group = form.group, let kind = BlocklistDraft.Kind(rawValue: group) { return .groups([kind]) }
        return nil
    }

    func applyDrafts(_ request: Request, context: Context) async -> Response {
        await reviewing(request, context, failure: "Not applied") { (principal, form: DraftForm, review) in
            guard let selection = selection(form) else { return "apply" }
            try await review.apply(
                selection, confirmMassRetraction: form.confirm == "on", actor: principal.displayName, channel: .ui)
            return nil
        }
    }

    func dismissDrafts(_ request: Request, context: Context) async -> Response {
        await reviewing(request, context, failure: "Not dismissed") { (principal, form: DraftForm, review) in
            switch selection(form) {
            case .domains(let domains)?:
                for domain in domains { try await review.dismiss(domain: domain, actor: principal.displayName) }
            case .groups(let kinds)?:
                for draft in try await review.drafts().all where kinds.contains(draft.kind) {
                    try await review.dismiss(domain: draft.domain, actor: principal.displayName)
                }
            default:
                return "dismiss"
            }
            return nil
        }
    }

    func undoBatch(_ request: Request, context: Context) async -> Response {
        guard let id = context.parameters.get("id").flatMap(Int64.init) else { return notFound(context, "") }
        return await reviewing(request, context, failure: "Not undone") { (principal, _: TokenForm, review) in
            try await review.undo(batch: id, actor: principal.displayName, channel: .ui)
            return nil
        }
    }

    /// Checks the form's CSRF token and the permission, runs `body`, and sends the browser back to the page.
    /// `body` returns the verb of a form that chose nothing (answered 400); a review refusal is shown with its
    /// message under `failure`.
    private func reviewing<Form: SessionForm>(
        _ request: Request, _ context: Context, failure: String,
        _ body: (Principal, Form, BlocklistReview) async throws -> String?
    ) async -> Response {
        guard
            case .success(let (principal, form)) = await submitted(request, context)
                as Either<(Principal, Form), Response>
        else { return forbidden(context, Self.csrfMessage) }
        guard principal.allows(.writeBlocklist), let review = blocklistReview else {
            return forbidden(context, "Only leads and admins review blocklist drafts.")
        }
        do {
            if let verb = try await body(principal, form, review) {
                return message(
                    context, status: .badRequest, heading: "Nothing chosen",
                    text: "Choose a draft or a group, then \(verb) again.")
            }
        } catch let error as BlocklistReviewError {
            return message(context, status: .conflict, heading: failure, text: error.message.capitalizedFirst + ".")
        } catch {
            return unavailable(context)
        }
        return Self.redirect(to: "/herdwatch/blocklists")
    }
}

extension WebTemplates {
    static let blocklists =
        pragma + """
            {{<layout}}{{$content}}
            <section class="blocklists">
            <h1>Blocklist drafts</h1>
            {{^hasDrafts}}<p class="empty">No draft: the applied list agrees with the subscriptions.</p>{{/hasDrafts}}
            {{#groups}}{{#hasItems}}
            <h2 id="group-{{kind}}">{{title}} ({{count}})</h2>
            {{#hasHeld}}<p class="notice" role="alert">Held: these retractions remove more than {{share}} % of what a subscription brought. Check the list's publisher before applying them.</p>{{/hasHeld}}
            <div class="group-actions">
            <form method="post" action="/herdwatch/blocklists/apply" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="group" value="{{kind}}">{{#hasHeld}}<label><input type="checkbox" name="confirm" value="on"> Confirm the mass retraction</label> {{/hasHeld}}<button type="submit">Approve all {{title}}</button></form>
            <form method="post" action="/herdwatch/blocklists/dismiss" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="group" value="{{kind}}"><button type="submit">Dismiss all {{title}}</button></form>
            </div>
            <table class="drafts"><thead><tr><th>Domain</th><th>Applied</th><th>Proposed</th><th>Provenance</th><th>Impact</th><th></th></tr></thead>
            <tbody>{{#items}}<tr class="draft" data-domain="{{domain}}"><td><code>{{domain}}</code>{{#held}} <span class="held">held</span>{{/held}}</td><td>{{applied}}</td><td>{{proposed}}</td>
            <td>{{#owner}}brought by {{owner}}{{/owner}}<ul class="support">{{#support}}<li>{{subscription}}: {{severity}}{{#comment}} — <span class="text">{{comment}}</span>{{/comment}}{{#private}} <span class="muted">(private: <span class="text">{{private}}</span>)</span>{{/private}}</li>{{/support}}</ul></td>
            <td>{{actors}} actors, {{held_cases}} held, {{flagged_cases}} flagged</td>
            <td><form method="post" action="/herdwatch/blocklists/apply" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="domain" value="{{domain}}">{{#held}}<label><input type="checkbox" name="confirm" value="on"> Confirm</label> {{/held}}<button type="submit" class="approve">Approve</button></form>
            <form method="post" action="/herdwatch/blocklists/dismiss" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="domain" value="{{domain}}"><button type="submit" class="dismiss">Dismiss</button></form></td></tr>{{/items}}</tbody></table>
            {{/hasItems}}{{/groups}}
            <h2>Recent batches</h2>
            {{^hasBatches}}<p class="empty">Nothing applied yet.</p>{{/hasBatches}}
            {{#hasBatches}}
            <table class="batches"><thead><tr><th>Batch</th><th>When</th><th>By</th><th>Via</th><th>Changes</th><th></th></tr></thead>
            <tbody>{{#batches}}<tr><td>#{{id}}{{#undoes}} (undoes #{{undoes}}){{/undoes}}</td><td>{{at}}</td><td>{{actor}}</td><td>{{via}}</td>
            <td><ul>{{#items}}<li><code>{{domain}}</code>: {{before}} → {{after}}</li>{{/items}}</ul></td>
            <td><form method="post" action="/herdwatch/blocklists/batches/{{id}}/undo" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Undo</button></form></td></tr>{{/batches}}</tbody></table>
            {{/hasBatches}}
            </section>
            {{/content}}{{/layout}}
            """
}
