import Access
import Blocklists
import ActivityPub
import Foundation
import Hummingbird
import HummingbirdAuth
import Intake
import Logging
import NIOCore
import Reputation
import ReviewQueue
import RuleEngine

/// Settings of the browser workbench (`web.*` in the configuration).
public struct WebSettings: Sendable {
    /// Mark the session cookie `Secure`. Off only when the operator serves plain http on loopback.
    public var secureCookies: Bool
    /// A session unused this long is signed out.
    public var idleTimeout: Duration
    /// Show the break reminder after this many sensitive items in a session (0: never).
    public var breakAfter: Int
    /// Blur revealed media by default.
    public var blurMedia: Bool

    public init(secureCookies: Bool, idleTimeout: Duration = .seconds(30 * 60), breakAfter: Int = 50, blurMedia: Bool = true) {
        self.secureCookies = secureCookies
        self.idleTimeout = idleTimeout
        self.breakAfter = breakAfter
        self.blurMedia = blurMedia
    }
}

/// The browser workbench under `/herdwatch/`: sign-in, the queue, case pages and the action bar. Pages are
/// rendered on the server from Mustache templates (`WebTemplates`); the only script is `/herdwatch/assets/app.js`.
struct WebRoutes: Sendable {
    let pages: PageRenderer
    let access: AccessControl
    let cases: any CaseStore
    let decisions: CaseDecisions
    let reputation: Reputation?
    let work: any BlockingWork
    let bodies: BodyReader
    /// Which peers are our own proxies, for the client address sign-in throttling counts by.
    let forwarding: ForwardedFor
    let settings: WebSettings
    let replayWindow: TimeInterval
    let media: MediaProxy
    /// The reason codes a decision may give (`review.reasons`).
    let reasons: [String]
    let logger: Logger
    /// Metrics for the metrics page.
    let quality: CaseQuality
    /// Review of subscription drafts for the blocklists page; nil when the store keeps no review.
    var blocklistReview: BlocklistReview? = nil

    typealias Context = HerdwatchRequestContext

    func register(on router: Router<Context>, sessions: any PersistDriver) {
        let web = router.group("/herdwatch").add(middleware: WebSecurityHeadersMiddleware<Context>())
        web.get("assets/:name") { _, context in
            guard let name = context.parameters.get("name"), let response = WebAssets.response(named: name) else {
                return Response(status: .notFound)
            }
            return response
        }
        let cookie = SessionCookieParameters(
            name: settings.secureCookies ? "__Host-herdwatch" : "herdwatch", path: "/", secure: settings.secureCookies,
            sameSite: .strict)
        let withSession = web.add(
            middleware: SessionMiddleware<Context>(
                storage: sessions,
                configuration: .init(sessionCookieParameters: cookie, keyPrefix: "s.", defaultSessionExpiration: settings.idleTimeout)))
        withSession.get("login", use: loginPage)
        withSession.post("login", use: signIn)
        let signedIn = withSession.add(middleware: WebSignInMiddleware(access: access, idleTimeout: settings.idleTimeout, logger: logger))
        signedIn.post("logout", use: signOut)
        signedIn.get(use: queuePage)
        signedIn.get("help") { request, context in self.page("help", title: "Keyboard shortcuts", context: context, [:]) }
        signedIn.get("cases/:id", use: casePage)
        signedIn.get("cases/:id/media/:index", use: mediaPreview)
        signedIn.get("cases/:id/cluster", use: clusterPage)
        signedIn.post("cases/:id/decide", use: decide)
        signedIn.post("cases/:id/notes", use: addNote)
        signedIn.post("cases/:id/bulk", use: bulk)
        signedIn.post("cases/:id/renew") { request, context in await lease(request, context: context, renew: true) }
        signedIn.post("cases/:id/release") { request, context in await lease(request, context: context, renew: false) }
        signedIn.post("next", use: next)
        signedIn.post("session/sensitive", use: countSensitive)
        signedIn.get("audit", use: auditPage)
        signedIn.get("proposals", use: proposalsPage)
        signedIn.post("proposals/:id/confirm") { request, context in await resolveProposal(request, context: context, confirm: true) }
        signedIn.post("proposals/:id/refuse") { request, context in await resolveProposal(request, context: context, confirm: false) }
        signedIn.get("metrics", use: metricsPage)
        signedIn.get("settings", use: settingsPage)
        signedIn.post("settings", use: saveSettings)
        signedIn.get("users", use: usersPage)
        registerBlocklists(on: signedIn)
    }

    // MARK: - Sign-in

    func loginPage(_ request: Request, context: Context) async -> Response {
        if context.sessions.session != nil {
            return Self.redirect(to: "/herdwatch/")
        }
        return loginForm(error: nil, username: "", context: context)
    }

    private func loginForm(error: String?, username: String, context: Context, status: HTTPResponse.Status = .ok) -> Response {
        // Login CSRF: the form carries a token that must come back with the same value as a cookie only this
        // site can set (double submit); the session does not exist yet.
        let token = CSRF.makeToken()
        var response = page(
            "login", title: "Sign in", context: context, signedIn: false,
            ["loginCSRF": token, "error": error ?? "", "username": username], status: status)
        let cookie = Cookie(
            name: settings.secureCookies ? "__Host-herdwatch-login" : "herdwatch-login", value: token, maxAge: 3600,
            path: "/", secure: settings.secureCookies, httpOnly: true, sameSite: .strict)
        response.headers[values: .setCookie].append(cookie.description)
        return response
    }

    struct LoginForm: Decodable {
        var username: String
        var password: String
        var csrf: String
    }

    func signIn(_ request: Request, context: Context) async -> Response {
        guard !CSRF.isCrossSite(request) else { return forbidden(context, "The sign-in came from another site.") }
        guard let form: LoginForm = await decodeForm(request) else {
            return loginForm(error: "Fill in both the username and the password.", username: "", context: context, status: .badRequest)
        }
        let cookieName = settings.secureCookies ? "__Host-herdwatch-login" : "herdwatch-login"
        guard CSRF.matches(form.csrf, request.cookies[cookieName]?.value ?? "") else {
            return loginForm(
                error: "The sign-in form expired or came from elsewhere; sign in again.", username: form.username, context: context,
                status: .forbidden)
        }
        let client = forwarding.clientAddress(for: request, peer: context.remoteAddress) ?? "unknown"
        let address = ForwardedFor.throttleKey(client)
        let result: SignInResult
        do {
            result = try await access.signIn(username: form.username, password: form.password, address: address)
        } catch {
            logger.error("cannot read accounts", metadata: ["error": "\(error)"])
            return loginForm(error: "Sign-in is unavailable right now; try again shortly.", username: form.username, context: context, status: .serviceUnavailable)
        }
        switch result {
        case .refused(let refusal):
            let status: HTTPResponse.Status =
                switch refusal {
                case .throttled, .busy: .tooManyRequests
                case .badCredentials, .disabled: .unauthorized
                }
            logger.notice("sign-in refused", metadata: ["username": "\(form.username)", "address": "\(address)", "reason": "\(refusal)"])
            var response = loginForm(error: refusal.message.capitalizedFirst + ".", username: form.username, context: context, status: status)
            switch refusal {
            case .throttled(let seconds): response.headers[.retryAfter] = String(max(1, Int(seconds.rounded(.up))))
            case .busy: response.headers[.retryAfter] = "5"
            case .badCredentials, .disabled: break
            }
            return response
        case .signedIn(let account):
            let now = Date()
            context.sessions.createSession(
                WorkbenchSession(accountID: account.id, username: account.username, csrf: CSRF.makeToken(), signedInAt: now, lastSeen: now),
                expiresIn: settings.idleTimeout)
            logger.info("signed in", metadata: ["username": "\(account.username)", "address": "\(address)"])
            return Self.redirect(to: "/herdwatch/")
        }
    }

    func signOut(_ request: Request, context: Context) async -> Response {
        guard case .success = await submitted(request, context) as Either<(Principal, TokenForm), Response> else {
            return forbidden(context, Self.csrfMessage)
        }
        context.sessions.clearSession()
        return Self.redirect(to: "/herdwatch/login")
    }

    // MARK: - Queue

    /// Texts a redirect may ask the next page to show (by code: no text from a request is ever shown).
    static let flashes: [String: String] = [
        "empty": "No case is waiting in this queue.",
        "decided": "Decision recorded.",
        "bulk": "Bulk decision recorded.",
        "released": "The case went back to the queue.",
    ]

    func queuePage(_ request: Request, context: Context) async -> Response {
        guard let principal = context.principal else { return forbidden(context, "Sign in first.") }
        let query = request.uri.queryParameters
        let stateText = query["state"].map(String.init) ?? "open"
        let actionText = query["action"].map(String.init) ?? ""
        let domain = query["domain"].map(String.init)?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        let rule = query["rule"].map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
        var queueName = query["queue"].map(String.init) ?? ""
        let limit = 200
        var filter = CaseFilter(state: stateText == "all" ? nil : ReviewCase.State(rawValue: stateText) ?? .open)
        filter.action = RuleAction(rawValue: actionText)
        if !domain.isEmpty { filter.domain = domain }
        let queueNames: [String]
        let list: [ReviewCase]
        var counts: [ReviewCase.State: Int] = [:]
        do {
            let queues = try await cases.queues()
            if principal.role == .contractor, let accountID = principal.accountID {
                queueNames = try await cases.assignedQueues(account: accountID)
                guard !queueNames.isEmpty else {
                    return message(context, status: .forbidden, heading: "No queue assigned", text: "No queue is assigned to you yet; ask a lead to assign one.")
                }
                if !queueNames.contains(queueName) { queueName = queueNames[0] }
            } else {
                queueNames = queues.map(\.name)
                counts = try await cases.caseCounts()
            }
            if let queue = queues.first(where: { $0.name == queueName }) {
                // A saved queue's filter, narrowed by the page's own fields.
                var narrowed = queue.filter
                narrowed.state = narrowed.state ?? filter.state
                narrowed.action = filter.action ?? narrowed.action
                narrowed.domain = filter.domain ?? narrowed.domain
                filter = narrowed
            } else {
                queueName = ""
            }
            if !rule.isEmpty {
                // A rule id, or a tag when no rule has that id.
                var byID = filter
                byID.ruleID = rule
                let found = try await cases.cases(matching: byID, limit: limit + 1)
                if found.isEmpty {
                    filter.ruleTag = rule
                } else {
                    filter = byID
                }
            }
            list = try await cases.cases(matching: filter, limit: limit + 1)
        } catch {
            return unavailable(context)
        }
        let now = Date()
        let rows: [[String: Any]] = list.prefix(limit).map { reviewCase in
            var row: [String: Any] = [
                "id": String(reviewCase.id), "priority": String(reviewCase.priority), "action": reviewCase.action.rawValue,
                "score": Self.format(reviewCase.verdict.score), "rules": reviewCase.verdict.hits.map(\.rule).joined(separator: ", "),
                "actor": reviewCase.subjectActor ?? "unknown", "age": Self.age(from: reviewCase.openedAt, to: now),
                "openedAt": Self.iso(reviewCase.openedAt), "state": Self.stateLabel(reviewCase),
                "reports": reviewCase.reports > 0 ? String(reviewCase.reports) : "",
            ]
            if let lease = reviewCase.lease, lease.expiresAt > now { row["leasedBy"] = lease.holderName }
            return row
        }
        let stateOptions = (["open", "in_review", "escalated", "closed", "all"]).map { value in
            ["value": value, "label": value.replacingOccurrences(of: "_", with: " ").capitalizedFirst, "selected": value == stateText] as [String: Any]
        }
        let actionOptions = ([("", "Any"), ("hold", "Hold"), ("flag", "Flag")]).map { value, label in
            ["value": value, "label": label, "selected": value == actionText] as [String: Any]
        }
        let queueOptions: [[String: Any]] =
            (principal.role == .contractor ? [] : [["value": "", "label": "All cases", "selected": queueName.isEmpty]])
            + queueNames.map { ["value": $0, "label": $0, "selected": $0 == queueName] }
        let countRows: [[String: Any]] = counts.isEmpty ? [] : ReviewCase.State.allCases.map { state in
            [
                "state": state.rawValue, "label": state.rawValue.replacingOccurrences(of: "_", with: " ").capitalizedFirst,
                "count": String(counts[state] ?? 0), "current": state.rawValue == stateText,
            ]
        }
        return page(
            "queue", title: "Queue", context: context,
            [
                "cases": rows, "hasCases": !rows.isEmpty, "counts": countRows, "stateOptions": stateOptions,
                "actionOptions": actionOptions, "queueOptions": queueOptions, "queueName": queueName, "domain": domain,
                "rule": rule, "more": list.count > limit, "shown": String(limit),
                "flash": query["flash"].flatMap { Self.flashes[String($0)] } ?? "",
            ])
    }

    struct NextForm: SessionForm {
        var csrf: String
        var queue: String?
    }

    func next(_ request: Request, context: Context) async -> Response {
        switch await submitted(request, context) as Either<(Principal, NextForm), Response> {
        case .success(let (principal, form)): return await next(for: principal, queue: form.queue, context: context)
        case .failure(let refusal): return refusal
        }
    }

    /// Leases the next case of `queue` to `principal` and opens it; back to the queue when none is waiting.
    private func next(for principal: Principal, queue: String?, context: Context) async -> Response {
        let name = queue.flatMap { $0.isEmpty ? nil : $0 }
        do {
            guard let leased = try await cases.next(for: principal, queue: name, lease: ReviewCase.Lease.defaultDuration, at: Date())
            else {
                return Self.redirect(to: "/herdwatch/?flash=empty" + (name.map { "&queue=" + Self.queryValue($0) } ?? ""))
            }
            return Self.redirect(to: "/herdwatch/cases/\(leased.id)" + (name.map { "?queue=" + Self.queryValue($0) } ?? ""))
        } catch let error as CaseWorkflowError {
            return message(context, status: .forbidden, heading: "No case for you here", text: error.message.capitalizedFirst + ".")
        } catch {
            return unavailable(context)
        }
    }

    // MARK: - Case page

    /// The case `id` as `principal` may see it: nil with the page to answer instead when it does not exist or lies
    /// outside the principal's queues.
    private func visibleCase(_ text: String, principal: Principal, context: Context) async -> Either<ReviewCase, Response> {
        guard let id = Int64(text) else { return .failure(notFound(context, text)) }
        do {
            guard let reviewCase = try await cases.reviewCase(id: id) else { return .failure(notFound(context, text)) }
            try reviewCase.checkQueueLimits(try await cases.queueFilters(for: principal), for: principal)
            return .success(reviewCase)
        } catch let error as CaseWorkflowError {
            return .failure(message(context, status: .forbidden, heading: "Not in your queues", text: error.message.capitalizedFirst + "."))
        } catch {
            return .failure(unavailable(context))
        }
    }

    func casePage(_ request: Request, context: Context) async -> Response {
        guard let principal = context.principal else { return forbidden(context, "Sign in first.") }
        let reviewCase: ReviewCase
        switch await visibleCase(context.parameters.get("id") ?? "", principal: principal, context: context) {
        case .success(let found): reviewCase = found
        case .failure(let response): return response
        }
        let now = Date()
        var values = CaseView.values(for: reviewCase, now: now, showPersonalData: principal.allows(.viewPersonalData))
        if let reputation, let history = await history(of: reviewCase, reputation: reputation) {
            values["history"] = history
        }
        if let retention = cases as? any CaseRetentionStore, let purged = try? await retention.evidencePurgedAt(caseID: reviewCase.id) {
            values["evidencePurged"] = Self.iso(purged)
        }
        let lease = reviewCase.lease.flatMap { $0.expiresAt > now ? $0 : nil }
        let leasedToMe = lease?.holder == principal.leaseKey
        values["leasedToMe"] = leasedToMe
        if let lease {
            values["leaseText"] =
                leasedToMe
                ? "leased to you until \(Self.clock(lease.expiresAt))" : "in review by \(lease.holderName) until \(Self.clock(lease.expiresAt))"
        }
        let decidable =
            switch reviewCase.state {
            case .open: true
            case .inReview: lease == nil || leasedToMe
            case .escalated: principal.allows(.confirmProposals)
            case .closed: false
            }
        values["canDecide"] = decidable && principal.allows(.decide)
        values["canPropose"] = reviewCase.state != .closed && principal.allows(.decide)
        values["decidedText"] =
            switch reviewCase.state {
            case .closed: "Closed: \(reviewCase.outcome?.rawValue ?? "decided")\(reviewCase.decidedBy.map { " by \($0)" } ?? "")."
            case .escalated: "Escalated to a lead."
            default: lease != nil && !leasedToMe ? "Someone else is reviewing this case." : "You may not decide cases."
            }
        values["queueName"] = request.uri.queryParameters["queue"].map(String.init) ?? ""
        values["reasons"] = reasons.enumerated().map { index, code in
            ["code": code, "label": Self.reasonLabel(code), "key": index < 9 ? String(index + 1) : ""] as [String: Any]
        }
        do {
            var notes = try await cases.notes(about: .reviewCase(reviewCase.id)).map { ($0, "this case") }
            if let actor = reviewCase.subjectActor {
                notes += try await cases.notes(about: .actor(actor)).map { ($0, "the actor") }
            }
            if let host = reviewCase.host {
                notes += try await cases.notes(about: .domain(host)).map { ($0, "the domain \(host)") }
            }
            let noteRows: [[String: Any]] = notes.sorted { $0.0.at > $1.0.at }.map { note, about in
                ["about": about, "author": note.author, "at": Self.iso(note.at), "text": note.text]
            }
            values["notes"] = noteRows
            values["hasNotes"] = !noteRows.isEmpty
            var earlier: [ReviewCase] = []
            if let host = reviewCase.host {
                earlier = try await cases.cases(matching: CaseFilter(domain: host), limit: 11).filter { $0.id != reviewCase.id }
            }
            let earlierRows: [[String: Any]] = earlier.prefix(10).map {
                ["id": String($0.id), "state": Self.stateLabel($0), "actor": $0.subjectActor ?? ""]
            }
            values["earlier"] = earlierRows
            values["hasEarlier"] = !earlierRows.isEmpty
            if reviewCase.reports > 0 {
                values["reports"] = try await cases.reports(caseID: reviewCase.id).prefix(20).map { report in
                    ["reporter": report.reporter ?? "unknown", "comment": report.comment ?? "", "at": Self.iso(report.at)]
                }
                values["hasReports"] = true
            }
        } catch {
            return unavailable(context)
        }
        return page("case", title: "Case #\(reviewCase.id)", context: context, values)
    }

    private func history(of reviewCase: ReviewCase, reputation: Reputation) async -> String? {
        guard let actorID = reviewCase.subjectActor, let activity = try? Activity.decode(reviewCase.body) else { return nil }
        var subject = Normalizer.subject(for: activity)
        subject.actorID = actorID
        subject.actorHost = Hostname.host(ofID: actorID)
        let signals: ReputationSignals
        do {
            let captured = subject
            signals = try await work.run { try reputation.signals(for: captured) }
        } catch {
            return nil
        }
        func value(_ name: String) -> Int { Int(signals.value(of: name, for: subject) ?? 0) }
        return "actor: \(value("actor.activities_seen")) activities seen, \(value("actor.held")) held, \(value("actor.rejected")) rejected, "
            + "\(value("actor.confirmed_spam")) confirmed spam; domain: \(value("domain.actors_seen")) actors seen, "
            + "\(value("domain.new_actors_1d")) new today"
    }

    struct DecisionForm: SessionForm {
        var csrf: String
        var version: String?
        var action: String?
        var propose: [String]?
        var reason: String?
        var note: String?
        var then: String?
        var queue: String?
    }

    func decide(_ request: Request, context: Context) async -> Response {
        let text = context.parameters.get("id") ?? ""
        guard let id = Int64(text) else { return notFound(context, text) }
        let (principal, form): (Principal, DecisionForm)
        switch await submitted(request, context) as Either<(Principal, DecisionForm), Response> {
        case .success(let submission): (principal, form) = submission
        case .failure(let refusal): return refusal
        }
        var actions: [Decision.Action] = []
        if let action = form.action, !action.isEmpty {
            guard let parsed = Decision.Action(rawValue: action), !parsed.isProposal else {
                return message(context, status: .unprocessableContent, heading: "Choose a decision", text: "Choose approve, reject or escalate (a, r or e), then submit again.")
            }
            actions.append(parsed)
        }
        for proposal in form.propose ?? [] {
            guard let parsed = Decision.Action(rawValue: proposal), parsed.isProposal else {
                return message(context, status: .unprocessableContent, heading: "Unknown proposal", text: "Propose limiting or suspending the actor, or blocking the domain.")
            }
            actions.append(parsed)
        }
        guard !actions.isEmpty else {
            return message(context, status: .unprocessableContent, heading: "Choose a decision", text: "Choose approve, reject or escalate (a, r or e), then submit again.")
        }
        guard let reason = form.reason, !reason.isEmpty else {
            return message(context, status: .unprocessableContent, heading: "Choose a reason", text: "Every decision needs a reason: pick one (1 to 9), then submit again.")
        }
        let note = form.note.flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
        do {
            _ = try await decisions.decide(
                id: id, Decision(actions: actions, reason: reason, note: note), by: principal, version: form.version.flatMap { Int($0) })
        } catch {
            let status: HTTPResponse.Status =
                switch error.code {
                case .notFound: .notFound
                case .forbidden: .forbidden
                case .badReason, .badDecision: .unprocessableContent
                case .staleVersion, .leasedElsewhere, .badTransition, .inProgress, .replayExpired, .noUpstream: .conflict
                case .upstreamRefused, .upstreamUnreachable: .badGateway
                case .storage: .serviceUnavailable
                }
            let advice = error.code == .staleVersion ? " Reload the case to see what changed." : ""
            return message(context, status: status, heading: "The decision was not recorded", text: error.message.capitalizedFirst + "." + advice)
        }
        if form.then == "next" {
            return await next(for: principal, queue: form.queue, context: context)
        }
        return Self.redirect(to: "/herdwatch/cases/\(id)")
    }

    struct NoteForm: SessionForm {
        var csrf: String
        var text: String?
        var on: String?
    }

    func addNote(_ request: Request, context: Context) async -> Response {
        let (principal, form): (Principal, NoteForm)
        switch await submitted(request, context) as Either<(Principal, NoteForm), Response> {
        case .success(let submission): (principal, form) = submission
        case .failure(let refusal): return refusal
        }
        let reviewCase: ReviewCase
        switch await visibleCase(context.parameters.get("id") ?? "", principal: principal, context: context) {
        case .success(let found): reviewCase = found
        case .failure(let response): return response
        }
        let text = (form.text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, text.utf8.count <= 10_000 else {
            return message(context, status: .unprocessableContent, heading: "Write a note", text: "A note needs text, at most 10,000 bytes.")
        }
        let subject: CaseNote.Subject
        switch CaseNote.Subject.named(form.on, of: reviewCase) {
        case .success(let named): subject = named
        case .failure(let error):
            return message(context, status: .unprocessableContent, heading: "Where does the note go?", text: error.message.capitalizedFirst + ".")
        }
        do {
            _ = try await cases.addNote(text, on: subject, by: principal, at: Date())
        } catch {
            return unavailable(context)
        }
        return Self.redirect(to: "/herdwatch/cases/\(reviewCase.id)")
    }

    /// `POST /herdwatch/cases/ID/renew|release` from the page's script: keeps the lease while the page is in use,
    /// or gives the case back.
    func lease(_ request: Request, context: Context, renew: Bool) async -> Response {
        guard let principal = context.principal, await checkCSRF(request, context, form: nil) else {
            return JSONResponse.error(.forbidden, code: "csrf", Self.csrfMessage)
        }
        guard let id = context.parameters.get("id").flatMap(Int64.init) else {
            return JSONResponse.error(.notFound, code: "not_found", "there is no such case")
        }
        do {
            let command = CaseCommand(renew ? .renew(lease: ReviewCase.Lease.defaultDuration) : .release, by: principal, at: Date())
            let updated = try await cases.apply(command, to: id, reasons: reasons)
            return JSONResponse.make(["state": updated.state.rawValue, "version": String(updated.version)])
        } catch let error as CaseWorkflowError {
            return JSONResponse.error(.conflict, code: error.code.rawValue, error.message)
        } catch {
            return JSONResponse.error(.serviceUnavailable, code: "storage_unavailable", "cannot reach the database; retry")
        }
    }

    /// `GET /herdwatch/cases/ID/media/N`: the case's Nth attachment, fetched by Herdwatch (see `MediaProxy`).
    func mediaPreview(_ request: Request, context: Context) async -> Response {
        guard let principal = context.principal, principal.allows(.decide),
            let index = context.parameters.get("index").flatMap(Int.init), index >= 0, index < CaseView.maxMedia
        else { return Response(status: .notFound) }
        let reviewCase: ReviewCase
        switch await visibleCase(context.parameters.get("id") ?? "", principal: principal, context: context) {
        case .success(let found): reviewCase = found
        case .failure(let response): return response
        }
        guard let activity = try? Activity.decode(reviewCase.body) else { return Response(status: .notFound) }
        let attachments = CaseView.attachments(of: activity)
        guard index < attachments.count, let address = attachments[index].url else { return Response(status: .notFound) }
        switch await media.fetch(address) {
        case .success(let image):
            return Response(
                status: .ok,
                headers: [
                    .contentType: image.contentType, .cacheControl: "private, no-store", .contentDisposition: "inline",
                    .contentSecurityPolicy: "default-src 'none'; sandbox",
                ],
                body: ResponseBody(byteBuffer: image.bytes))
        case .failure(let refusal):
            logger.info("media preview refused", metadata: ["case.id": "\(reviewCase.id)", "reason": "\(refusal)"])
            return Response(
                status: .badGateway, headers: [.contentType: "text/plain; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: "The media cannot be shown: \(refusal).")))
        }
    }

    // MARK: - Bulk decisions on a campaign

    /// `GET /herdwatch/cases/ID/cluster`: the open cases of the same campaign as this one, with counts and samples,
    /// and the form that decides them all.
    func clusterPage(_ request: Request, context: Context) async -> Response {
        guard let principal = context.principal else { return forbidden(context, "Sign in first.") }
        let seed: ReviewCase
        switch await visibleCase(context.parameters.get("id") ?? "", principal: principal, context: context) {
        case .success(let found): seed = found
        case .failure(let response): return response
        }
        let members: [ReviewCase]
        do {
            members = try await CampaignCluster.openMembers(of: seed, visibleTo: principal, in: cases, work: work)
        } catch {
            return unavailable(context)
        }
        let preview = BulkPreview(members)
        return page(
            "cluster", title: "Campaign of case #\(seed.id)", context: context,
            [
                "id": String(seed.id), "count": String(preview.cases.count), "actors": String(preview.actors),
                "domains": String(preview.domains), "sampleCases": preview.sampleCases.map { ["id": String($0)] },
                "sampleActors": preview.sampleActors, "sampleDomains": preview.sampleDomains,
                "items": preview.cases.map { "\($0.id):\($0.version)" }.joined(separator: ","),
                "reasons": reasons.enumerated().map { index, code in
                    ["code": code, "label": Self.reasonLabel(code), "key": index < 9 ? String(index + 1) : ""] as [String: Any]
                },
            ])
    }

    struct BulkForm: SessionForm {
        var csrf: String
        var items: String
        var action: String?
        var reason: String?
        var note: String?
    }

    /// `POST /herdwatch/cases/ID/bulk`: decides the cases the preview listed (each at the version shown), under one
    /// batch id; cases that changed since are left as they are and counted.
    func bulk(_ request: Request, context: Context) async -> Response {
        let (principal, form): (Principal, BulkForm)
        switch await submitted(request, context) as Either<(Principal, BulkForm), Response> {
        case .success(let submission): (principal, form) = submission
        case .failure(let refusal): return refusal
        }
        guard let action = form.action.flatMap(Decision.Action.init(rawValue:)), [.approve, .reject].contains(action) else {
            return message(context, status: .unprocessableContent, heading: "Choose a decision", text: "Choose approve or reject for the whole campaign.")
        }
        guard let reason = form.reason, !reason.isEmpty else {
            return message(context, status: .unprocessableContent, heading: "Choose a reason", text: "A bulk decision needs a reason.")
        }
        let items: [(id: Int64, version: Int)] = form.items.split(separator: ",").compactMap { item in
            let parts = item.split(separator: ":")
            guard parts.count == 2, let id = Int64(parts[0]), let version = Int(parts[1]) else { return nil }
            return (id, version)
        }
        guard !items.isEmpty, items.count <= 1000 else {
            return message(context, status: .unprocessableContent, heading: "Nothing to decide", text: "Preview the campaign again.")
        }
        let batchID = UUID().uuidString.lowercased()
        let decision = Decision(actions: [action], reason: reason, note: form.note.flatMap { $0.isEmpty ? nil : $0 })
        var decided = 0
        var skipped = 0
        for item in items {
            do {
                _ = try await decisions.decide(id: item.id, decision, by: principal, version: item.version, batchID: batchID)
                decided += 1
            } catch {
                if error.code == .badReason || error.code == .forbidden, decided == 0 {
                    return message(context, status: .unprocessableContent, heading: "The decision was not recorded", text: error.message.capitalizedFirst + ".")
                }
                skipped += 1
            }
        }
        return page(
            "message", title: "Bulk decision", context: context,
            [
                "heading": "Bulk decision recorded",
                "text": "\(decided) case(s) \(action == .approve ? "approved" : "rejected") in batch \(batchID)"
                    + (skipped > 0 ? "; \(skipped) changed since the preview and were left as they are." : "."),
            ])
    }

    func countSensitive(_ request: Request, context: Context) async -> Response {
        guard await checkCSRF(request, context, form: nil), var session = context.sessions.session else {
            return JSONResponse.error(.forbidden, code: "csrf", Self.csrfMessage)
        }
        session.sensitiveSeen += 1
        _ = context.sessions.updateSession(session)
        return JSONResponse.make(["sensitive_seen": session.sensitiveSeen])
    }

    // MARK: - Audit, users

    func auditPage(_ request: Request, context: Context) async -> Response {
        guard context.principal?.allows(.viewAudit) ?? false else { return forbidden(context, "Your role may not see the audit log.") }
        let caseID = request.uri.queryParameters["case"].flatMap { Int64(String($0)) }
        let entries: [AuditEntry]
        do {
            entries = try await cases.audit(caseID: caseID, limit: 500)
        } catch {
            return unavailable(context)
        }
        return page(
            "audit", title: "Audit log", context: context,
            [
                "entries": entries.map { entry in
                    [
                        "at": Self.iso(entry.at), "actor": entry.actor, "via": entry.via.rawValue,
                        "caseID": entry.caseID.map { String($0) } ?? "", "action": entry.action.rawValue,
                        "reason": entry.reason ?? "", "note": entry.note ?? "", "batch": entry.batchID.map { String($0.prefix(8)) } ?? "",
                        "change": [entry.fromState?.rawValue, entry.toState?.rawValue].compactMap { $0 }.joined(separator: " → "),
                    ]
                },
                "hasEntries": !entries.isEmpty,
            ])
    }

    /// `GET /herdwatch/proposals`: proposals waiting for a lead (limit or suspend an actor, block a domain), with
    /// the forms that confirm or refuse them.
    func proposalsPage(_ request: Request, context: Context) async -> Response {
        guard let principal = context.principal, principal.allows(.confirmProposals) else {
            return forbidden(context, "Only leads and admins resolve proposals.")
        }
        let pending: [Proposal]
        do {
            pending = try await cases.proposals(state: .pending, limit: 500)
        } catch {
            return unavailable(context)
        }
        return page(
            "proposals", title: "Proposals", context: context,
            [
                "proposals": pending.map { proposal in
                    [
                        "id": String(proposal.id), "caseID": String(proposal.caseID),
                        "action": proposal.action.rawValue.replacingOccurrences(of: "_", with: " "), "target": proposal.target,
                        "reason": Self.reasonLabel(proposal.reason), "note": proposal.note ?? "", "by": proposal.proposedBy,
                        "at": Self.iso(proposal.proposedAt),
                    ]
                },
                "hasProposals": !pending.isEmpty,
            ])
    }

    func resolveProposal(_ request: Request, context: Context, confirm: Bool) async -> Response {
        guard case .success(let (principal, _)) = await submitted(request, context) as Either<(Principal, TokenForm), Response> else {
            return forbidden(context, Self.csrfMessage)
        }
        guard principal.allows(.confirmProposals) else { return forbidden(context, "Only leads and admins resolve proposals.") }
        guard let id = context.parameters.get("id").flatMap(Int64.init) else { return notFound(context, "") }
        do {
            let resolved = try await cases.resolveProposal(id: id, confirm: confirm, by: principal, at: Date())
            try await ProposalEffects.confirmed(resolved, by: principal.displayName, review: blocklistReview, channel: .ui)
        } catch let error as CaseWorkflowError {
            return message(context, status: .conflict, heading: "Not resolved", text: error.message.capitalizedFirst + ".")
        } catch {
            return unavailable(context)
        }
        return Self.redirect(to: "/herdwatch/proposals")
    }

    func usersPage(_ request: Request, context: Context) async -> Response {
        guard context.principal?.allows(.manageUsers) ?? false else { return forbidden(context, "Only admins manage users.") }
        let accounts: [Account]
        do {
            accounts = try await access.store.accounts()
        } catch {
            return unavailable(context)
        }
        return page(
            "users", title: "Users", context: context,
            [
                "users": accounts.map { account in
                    [
                        "name": account.username, "role": account.role.rawValue, "state": account.disabledAt == nil ? "active" : "disabled",
                        "created": Self.iso(account.createdAt),
                    ]
                }
            ])
    }

    // MARK: - Helpers

    static let csrfMessage = "The form expired or came from another site. Reload the page and try again."

    /// A rendered page with the layout's values: the signed-in user, what they may see, the CSRF token.
    func page(
        _ name: String, title: String, context: Context, signedIn: Bool = true, _ values: [String: Any],
        status: HTTPResponse.Status = .ok
    ) -> Response {
        var all = values
        all["title"] = title
        all["page"] = name
        if signedIn, let principal = context.principal, let session = context.sessions.session {
            all["user"] = ["name": principal.account?.username ?? principal.displayName, "role": principal.role?.rawValue ?? ""]
            all["csrf"] = session.csrf
            all["canMetrics"] = principal.allows(.viewMetrics)
            all["canAudit"] = principal.allows(.viewAudit)
            all["canProposals"] = principal.allows(.confirmProposals)
            all["canBlocklists"] = principal.allows(.writeBlocklist) && blocklistReview != nil
            all["canUsers"] = principal.allows(.manageUsers)
            all["sensitiveSeen"] = String(session.sensitiveSeen)
            all["breakAfter"] = settings.breakAfter > 0 ? String(settings.breakAfter) : ""
            all["blurMedia"] = principal.account?.blurMedia ?? settings.blurMedia
        }
        let html = pages.render(name, Self.withoutEmptyText(all))
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// `values` without empty strings, at any depth: Mustache treats "" as true in `{{#key}}`, and a template
    /// should show "Signed by: nobody verified", not an empty row.
    static func withoutEmptyText(_ values: [String: Any]) -> [String: Any] {
        func clean(_ value: Any) -> Any? {
            switch value {
            case let text as String: return text.isEmpty ? nil : text
            case let dictionary as [String: Any]: return withoutEmptyText(dictionary)
            case let list as [[String: Any]]: return list.map(withoutEmptyText)
            default: return value
            }
        }
        return values.compactMapValues(clean)
    }

    func message(_ context: Context, status: HTTPResponse.Status, heading: String, text: String) -> Response {
        page("message", title: heading, context: context, signedIn: context.principal != nil, ["heading": heading, "text": text], status: status)
    }

    func forbidden(_ context: Context, _ text: String) -> Response {
        message(context, status: .forbidden, heading: "Not allowed", text: text)
    }

    func notFound(_ context: Context, _ id: String) -> Response {
        message(context, status: .notFound, heading: "No such case", text: "There is no case \(id).")
    }

    func unavailable(_ context: Context) -> Response {
        message(context, status: .serviceUnavailable, heading: "Cases cannot be read right now", text: "The database is busy or unavailable; reload in a moment.")
    }

    /// Whether a state-changing request is the session's own: same site, and the session's CSRF token in the form's
    /// `csrf` field (`form`) or the `X-CSRF-Token` header (script calls).
    func checkCSRF(_ request: Request, _ context: Context, form: String?) async -> Bool {
        guard !CSRF.isCrossSite(request), let session = context.sessions.session else { return false }
        return CSRF.matches(form ?? request.headers[.csrfToken], session.csrf)
    }

    /// A posted form of the signed-in person that passes the CSRF check: the principal and the form, or the
    /// refusal to answer with.
    func submitted<Form: SessionForm>(_ request: Request, _ context: Context) async -> Either<(Principal, Form), Response> {
        guard let principal = context.principal, let form: Form = await decodeForm(request),
            await checkCSRF(request, context, form: form.csrf)
        else { return .failure(forbidden(context, Self.csrfMessage)) }
        return .success((principal, form))
    }

    /// A form with only the CSRF token (sign-out, proposals).
    struct TokenForm: SessionForm { var csrf: String }

    func decodeForm<Form: Decodable>(_ request: Request) async -> Form? {
        guard case .success(let bytes) = await bodies.collect(request) else { return nil }
        return try? URLEncodedFormDecoder().decode(Form.self, from: String(decoding: bytes, as: UTF8.self))
    }

    static func queryValue(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }

    static func clock(_ date: Date) -> String { date.formatted(date: .omitted, time: .shortened) }

    static func stateLabel(_ reviewCase: ReviewCase) -> String {
        if let outcome = reviewCase.outcome { return "closed: \(outcome.rawValue)" }
        return reviewCase.state.rawValue.replacingOccurrences(of: "_", with: " ")
    }

    /// A reason code as people read it: `not_a_violation` is "Not a violation".
    static func reasonLabel(_ code: String) -> String {
        switch code {
        case "csam": "Child sexual abuse material"
        case "illegal": "Illegal content"
        default: code.replacingOccurrences(of: "_", with: " ").capitalizedFirst
        }
    }

    static func redirect(to location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    static func format(_ score: Double) -> String {
        score == score.rounded() ? String(Int(score)) : String(format: "%.1f", score)
    }

    static func iso(_ date: Date) -> String { date.formatted(.iso8601) }

    static func age(from date: Date, to now: Date) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        switch seconds {
        case ..<60: return "\(seconds) s"
        case ..<3600: return "\(seconds / 60) min"
        case ..<86_400: return "\(seconds / 3600) h"
        default: return "\(seconds / 86_400) d"
        }
    }
}

/// A form posted from a workbench page: it carries the session's CSRF token.
protocol SessionForm: Decodable {
    var csrf: String { get }
}

/// Lets a request through when its session names an enabled account, and puts the person in the context as the
/// principal (via `ui`). Otherwise: a page request is sent to the sign-in page, anything else gets 401. Renews
/// the session's idle expiry at most once a minute.
struct WebSignInMiddleware: RouterMiddleware {
    typealias Context = HerdwatchRequestContext
    let access: AccessControl
    let idleTimeout: Duration
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard var session = context.sessions.session else { return signInFirst(request) }
        let account: Account?
        do {
            account = try await access.store.account(id: session.accountID)
        } catch {
            logger.error("cannot read accounts", metadata: ["error": "\(error)"])
            return Response(status: .serviceUnavailable, headers: [.contentType: "text/plain; charset=utf-8", .retryAfter: "5"])
        }
        guard let account, account.disabledAt == nil else {
            context.sessions.clearSession()
            return signInFirst(request)
        }
        let now = Date()
        if now.timeIntervalSince(session.lastSeen) > 60 {
            session.lastSeen = now
            _ = context.sessions.updateSession(session, expiresIn: idleTimeout)
        }
        var context = context
        context.principal = Principal(account: account, token: nil, via: .ui)
        return try await next(request, context)
    }

    private func signInFirst(_ request: Request) -> Response {
        if request.method == .get || request.method == .head {
            return WebRoutes.redirect(to: "/herdwatch/login")
        }
        return Response(status: .unauthorized, headers: [.contentType: "text/plain; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: "Sign in first.")))
    }
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
