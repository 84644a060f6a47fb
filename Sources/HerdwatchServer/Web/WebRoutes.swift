import Access
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
    let settings: WebSettings
    let replayWindow: TimeInterval
    let media: MediaProxy
    let logger: Logger

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
        signedIn.post("cases/:id/decide", use: decide)
        signedIn.post("next", use: next)
        signedIn.post("session/sensitive", use: countSensitive)
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
        let address = context.remoteAddress?.ipAddress ?? "unknown"
        let result: SignInResult
        do {
            result = try await access.signIn(username: form.username, password: form.password, address: address)
        } catch {
            logger.error("cannot read accounts", metadata: ["error": "\(error)"])
            return loginForm(error: "Sign-in is unavailable right now; try again shortly.", username: form.username, context: context, status: .serviceUnavailable)
        }
        switch result {
        case .refused(let refusal):
            let status: HTTPResponse.Status = if case .throttled = refusal { .tooManyRequests } else { .unauthorized }
            logger.notice("sign-in refused", metadata: ["username": "\(form.username)", "address": "\(address)", "reason": "\(refusal)"])
            return loginForm(error: refusal.message.capitalizedFirst + ".", username: form.username, context: context, status: status)
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
        guard await checkCSRF(request, context) else { return forbidden(context, Self.csrfMessage) }
        context.sessions.clearSession()
        return Self.redirect(to: "/herdwatch/login")
    }

    // MARK: - Queue

    func queuePage(_ request: Request, context: Context) async -> Response {
        let query = request.uri.queryParameters
        let stateText = query["state"].map(String.init) ?? "open"
        let actionText = query["action"].map(String.init) ?? ""
        let domain = query["domain"].map(String.init)?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        let rule = query["rule"].map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
        let state = stateText == "all" ? nil : ReviewCase.State(rawValue: stateText) ?? .open
        let limit = 200
        let list: [ReviewCase]
        let counts: [ReviewCase.State: Int]
        do {
            list = try await cases.cases(state: state, limit: 5000)
            counts = try await cases.caseCounts()
        } catch {
            return unavailable(context)
        }
        let now = Date()
        let filtered = list.filter { reviewCase in
            (actionText.isEmpty || reviewCase.action.rawValue == actionText)
                && (domain.isEmpty || Self.host(of: reviewCase) == domain || Self.host(of: reviewCase).hasSuffix("." + domain))
                && (rule.isEmpty || reviewCase.verdict.hits.contains { $0.rule == rule || $0.tags.contains(rule) })
        }
        let rows: [[String: Any]] = filtered.prefix(limit).map { reviewCase in
            [
                "id": String(reviewCase.id), "priority": String(Self.priority(reviewCase)), "action": reviewCase.action.rawValue,
                "score": Self.format(reviewCase.verdict.score), "rules": reviewCase.verdict.hits.map(\.rule).joined(separator: ", "),
                "actor": reviewCase.signer ?? reviewCase.actorID ?? "unknown", "age": Self.age(from: reviewCase.openedAt, to: now),
                "openedAt": Self.iso(reviewCase.openedAt), "state": reviewCase.state.rawValue,
            ]
        }
        let stateOptions = (["open", "approved", "rejected", "all"]).map { value in
            ["value": value, "label": value.capitalizedFirst, "selected": value == stateText] as [String: Any]
        }
        let actionOptions = ([("", "Any"), ("hold", "Hold"), ("flag", "Flag")]).map { value, label in
            ["value": value, "label": label, "selected": value == actionText] as [String: Any]
        }
        let countRows: [[String: Any]] = ReviewCase.State.allCases.map { state in
            ["state": state.rawValue, "label": state.rawValue.capitalizedFirst, "count": String(counts[state] ?? 0), "current": state.rawValue == stateText]
        }
        return page(
            "queue", title: "Queue", context: context,
            [
                "cases": rows, "hasCases": !rows.isEmpty, "counts": countRows, "stateOptions": stateOptions,
                "actionOptions": actionOptions, "domain": domain, "rule": rule, "more": filtered.count > limit,
                "shown": String(limit),
            ])
    }

    func next(_ request: Request, context: Context) async -> Response {
        guard await checkCSRF(request, context) else { return forbidden(context, Self.csrfMessage) }
        do {
            let open = try await cases.cases(state: .open, limit: 5000)
            guard let first = open.sorted(by: Self.queueOrder).first else {
                return Self.redirect(to: "/herdwatch/?flash=empty")
            }
            return Self.redirect(to: "/herdwatch/cases/\(first.id)")
        } catch {
            return unavailable(context)
        }
    }

    // MARK: - Case page

    func casePage(_ request: Request, context: Context) async -> Response {
        let text = context.parameters.get("id") ?? ""
        guard let id = Int64(text) else { return notFound(context, text) }
        let found: ReviewCase?
        do {
            found = try await cases.reviewCase(id: id)
        } catch {
            return unavailable(context)
        }
        guard let reviewCase = found else { return notFound(context, text) }
        let principal = context.principal
        var values = CaseView.values(for: reviewCase, now: Date(), showPersonalData: principal?.allows(.viewPersonalData) ?? false)
        if let reputation, let history = await history(of: reviewCase, reputation: reputation) {
            values["history"] = history
        }
        let earlier = (try? await cases.cases(activityID: reviewCase.activityID)) ?? []
        let earlierRows: [[String: Any]] = earlier.filter { $0.id != reviewCase.id }.map {
            ["id": String($0.id), "state": $0.state.rawValue, "outcome": ""]
        }
        values["earlier"] = earlierRows
        values["hasEarlier"] = !earlierRows.isEmpty
        let canDecide = reviewCase.state == .open && (principal?.allows(.decide) ?? false)
        values["canDecide"] = canDecide
        values["reasons"] = DecisionReasons.default.enumerated().map { index, reason in
            ["code": reason.code, "label": reason.label, "key": index < 9 ? String(index + 1) : ""] as [String: Any]
        }
        values["decidedText"] =
            reviewCase.state == .open ? "You may not decide cases." : "Decided: \(reviewCase.state.rawValue)\(reviewCase.decidedBy.map { " by \($0)" } ?? "")."
        return page("case", title: "Case #\(reviewCase.id)", context: context, values)
    }

    private func history(of reviewCase: ReviewCase, reputation: Reputation) async -> String? {
        guard let actorID = reviewCase.signer ?? reviewCase.actorID, let activity = try? Activity.decode(reviewCase.body) else { return nil }
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

    /// `GET /herdwatch/cases/ID/media/N`: the case's Nth attachment, fetched by Herdwatch (see `MediaProxy`).
    func mediaPreview(_ request: Request, context: Context) async -> Response {
        let text = context.parameters.get("id") ?? ""
        guard let id = Int64(text), let index = context.parameters.get("index").flatMap(Int.init), index >= 0, index < CaseView.maxMedia,
            context.principal?.allows(.decide) ?? false
        else { return Response(status: .notFound) }
        guard let reviewCase = try? await cases.reviewCase(id: id), let activity = try? Activity.decode(reviewCase.body) else {
            return Response(status: .notFound)
        }
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
            logger.info("media preview refused", metadata: ["case.id": "\(id)", "reason": "\(refusal)"])
            return Response(
                status: .badGateway, headers: [.contentType: "text/plain; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: "The media cannot be shown: \(refusal).")))
        }
    }

    struct DecisionForm: Decodable {
        var csrf: String
        var version: String?
        var action: String?
        var reason: String?
        var note: String?
        var then: String?
    }

    func decide(_ request: Request, context: Context) async -> Response {
        let text = context.parameters.get("id") ?? ""
        guard let id = Int64(text) else { return notFound(context, text) }
        guard let form: DecisionForm = await decodeForm(request),
            !CSRF.isCrossSite(request), let session = context.sessions.session, CSRF.matches(form.csrf, session.csrf)
        else { return forbidden(context, Self.csrfMessage) }
        guard let principal = context.principal, principal.allows(.decide) else {
            return forbidden(context, "Your role may not decide cases.")
        }
        guard let action = form.action, ["approve", "reject"].contains(action) else {
            return message(context, status: .unprocessableContent, heading: "Choose a decision", text: "Choose approve or reject (a or r), then submit again.")
        }
        guard let reason = form.reason, DecisionReasons.default.contains(where: { $0.code == reason }) else {
            return message(context, status: .unprocessableContent, heading: "Choose a reason", text: "Every decision needs a reason: pick one (1 to 9), then submit again.")
        }
        do {
            let decision = Decision(actions: [action == "approve" ? .approve : .reject], reason: reason)
            _ = try await decisions.decide(id: id, decision, by: principal, version: nil)
        } catch {
            return message(context, status: error.status, heading: "The decision was not recorded", text: error.message.capitalizedFirst + ".")
        }
        if form.then == "next" {
            return await next(afterDeciding: context)
        }
        return Self.redirect(to: "/herdwatch/cases/\(id)")
    }

    private func next(afterDeciding context: Context) async -> Response {
        let open = (try? await cases.cases(state: .open, limit: 5000)) ?? []
        guard let first = open.sorted(by: Self.queueOrder).first else { return Self.redirect(to: "/herdwatch/?flash=empty") }
        return Self.redirect(to: "/herdwatch/cases/\(first.id)")
    }

    func countSensitive(_ request: Request, context: Context) async -> Response {
        guard await checkCSRF(request, context), var session = context.sessions.session else {
            return JSONResponse.error(.forbidden, code: "csrf", Self.csrfMessage)
        }
        session.sensitiveSeen += 1
        _ = context.sessions.updateSession(session)
        return JSONResponse.make(["sensitive_seen": session.sensitiveSeen])
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
            all["canUsers"] = principal.allows(.manageUsers)
            all["sensitiveSeen"] = String(session.sensitiveSeen)
            all["breakAfter"] = settings.breakAfter > 0 ? String(settings.breakAfter) : ""
            all["blurMedia"] = settings.blurMedia
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

    func checkCSRF(_ request: Request, _ context: Context) async -> Bool {
        guard !CSRF.isCrossSite(request), let session = context.sessions.session else { return false }
        if let header = request.headers[.csrfToken] { return CSRF.matches(header, session.csrf) }
        struct TokenOnly: Decodable { var csrf: String }
        guard let form: TokenOnly = await decodeForm(request) else { return false }
        return CSRF.matches(form.csrf, session.csrf)
    }

    func decodeForm<Form: Decodable>(_ request: Request) async -> Form? {
        guard case .success(let bytes) = await bodies.collect(request) else { return nil }
        return try? URLEncodedFormDecoder().decode(Form.self, from: String(decoding: bytes, as: UTF8.self))
    }

    static func redirect(to location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    /// Priority (higher first): holds above flags, then by score. See `queueOrder`.
    static func priority(_ reviewCase: ReviewCase) -> Int {
        (reviewCase.action == .hold ? 100 : 0) + Int(min(99, max(0, reviewCase.verdict.score)))
    }

    /// Highest priority first; oldest first within a priority.
    static func queueOrder(_ a: ReviewCase, _ b: ReviewCase) -> Bool {
        let (pa, pb) = (priority(a), priority(b))
        return pa != pb ? pa > pb : (a.openedAt, a.id) < (b.openedAt, b.id)
    }

    static func host(of reviewCase: ReviewCase) -> String {
        (reviewCase.signer ?? reviewCase.actorID).flatMap(Hostname.host(ofID:)) ?? ""
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

/// Reasons a decision can give.
enum DecisionReasons {
    struct Reason: Sendable {
        var code: String
        var label: String
    }

    static let `default`: [Reason] = [
        Reason(code: "spam", label: "Spam"), Reason(code: "harassment", label: "Harassment"), Reason(code: "hate", label: "Hate"),
        Reason(code: "illegal", label: "Illegal content"), Reason(code: "csam", label: "Child sexual abuse material"),
        Reason(code: "impersonation", label: "Impersonation"), Reason(code: "misinformation", label: "Misinformation"),
        Reason(code: "not_a_violation", label: "Not a violation"), Reason(code: "other", label: "Other"),
    ]
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
