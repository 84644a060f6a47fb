import Access
import Configuration
import HerdwatchTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ReviewQueue
import RuleEngine
import Logging
import Synchronization
import Testing

@testable import HerdwatchServer

/// A browser in router tests: keeps cookies, reads the CSRF token from pages.
struct Browser {
    var cookies: [String: String] = [:]

    var cookieHeader: String { cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }

    mutating func send(
        _ client: some TestClientProtocol, _ uri: String, method: HTTPRequest.Method = .get, form: [String: String]? = nil,
        headers extra: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = extra
        if !cookies.isEmpty { headers[.cookie] = cookieHeader }
        var body: ByteBuffer?
        if let form {
            headers[.contentType] = "application/x-www-form-urlencoded"
            body = ByteBuffer(string: Self.encode(form))
        }
        let response = try await client.execute(uri: uri, method: method, headers: headers, body: body)
        for value in response.headers[values: .setCookie] {
            let pair = value.split(separator: ";", maxSplits: 1)[0]
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            if value.lowercased().contains("max-age=0") || value.lowercased().contains("expires=thu, 01 jan 1970") || parts[1].isEmpty {
                cookies.removeValue(forKey: parts[0])
            } else {
                cookies[parts[0]] = parts[1]
            }
        }
        return response
    }

    static func encode(_ form: [String: String]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return form.sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
            .joined(separator: "&")
    }

    /// The value of the first hidden input named `name` in a page.
    static func hidden(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        let rest = html[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    /// Signs in through the login form.
    mutating func signIn(_ client: some TestClientProtocol, username: String, password: String) async throws -> TestResponse {
        let page = try await send(client, "/herdwatch/login")
        let token = try #require(Self.hidden("csrf", in: String(buffer: page.body)))
        return try await send(client, "/herdwatch/login", method: .post, form: ["username": username, "password": password, "csrf": token])
    }
}

extension TestServer {
    /// An account with a password that is quick to check (bcrypt at its lowest cost).
    func account(_ username: String, role: Account.Role, password: String = "correct horse battery") async throws -> Account {
        try await access.store.insertAccount(
            username: username, role: role, passwordHash: try PasswordHash.make(password, cost: 4), at: Date())
    }

    /// Opens a held case through the hook with `text` as the post's HTML content.
    func holdCase(_ client: some TestClientProtocol, content: String, summary: String? = nil) async throws -> Int64 {
        let token = try await self.token([.check])
        let summaryMember = summary.map { ",\"summary\":\(Self.quoted($0))" } ?? ""
        let body = """
            {"@context":"https://www.w3.org/ns/activitystreams","id":"https://remote.example/a/\(UUID().uuidString)","type":"Create","actor":"https://remote.example/users/mallory","object":{"id":"https://remote.example/n/\(UUID().uuidString)","type":"Note","attributedTo":"https://remote.example/users/mallory","content":\(Self.quoted(content))\(summaryMember),"attachment":[{"type":"Document","mediaType":"image/png","url":"https://media.remote.example/x.png","name":"an image"}]}}
            """
        let response = try await client.execute(
            uri: "/api/v1/check", method: .post, headers: [.authorization: "Bearer \(token)"], body: ByteBuffer(string: body))
        let answer = try json(String(buffer: response.body))
        return try #require(((answer["case"] as? [String: Any])?["id"] as? NSNumber)?.int64Value, "the check answered \(answer)")
    }

    static func quoted(_ text: String) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes]), as: UTF8.self)
            .dropFirst().dropLast().description
    }
}

@Suite("Workbench web pages")
struct WorkbenchWebTests {
    @Test("pages need a session: a page request goes to the sign-in page, a form post is refused")
    func pagesNeedSignIn() async throws {
        let server = try TestServer()
        try await HerdwatchApplication.make(server.components).test(.router) { client in
            for path in ["/herdwatch/", "/herdwatch", "/herdwatch/cases/1", "/herdwatch/help"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .seeOther, "\(path)")
                #expect(response.headers[.location] == "/herdwatch/login", "\(path)")
            }
            let post = try await client.execute(uri: "/herdwatch/next", method: .post)
            #expect(post.status == .unauthorized)
        }
    }

    @Test("signing in sets an HttpOnly SameSite=Strict session cookie (Secure unless plain http on loopback) and opens the queue")
    func signIn() async throws {
        for (host, secure) in [("127.0.0.1", false), ("0.0.0.0", true)] {
            let server = try TestServer(values: ["http.host": .init(.string(host), isSecret: false)])
            _ = try await server.account("alice", role: .moderator)
            try await HerdwatchApplication.make(server.components).test(.router) { client in
                var browser = Browser()
                let response = try await browser.signIn(client, username: "alice", password: "correct horse battery")
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/herdwatch/")
                let cookie = try #require(response.headers[values: .setCookie].first { $0.contains("herdwatch=") })
                #expect(cookie.contains("HttpOnly"))
                #expect(cookie.contains("SameSite=Strict"))
                #expect(cookie.contains("Secure") == secure, "\(cookie)")
                #expect(cookie.hasPrefix("__Host-") == secure)
                if !secure {
                    let queue = try await browser.send(client, "/herdwatch/")
                    #expect(queue.status == .ok)
                    let html = String(buffer: queue.body)
                    #expect(html.contains("<h1>Queue</h1>"))
                    #expect(html.contains("alice"))
                }
            }
        }
    }

    @Test("a wrong password and an unknown user get the same answer; the login form needs its token")
    func refusedSignIns() async throws {
        let server = try TestServer()
        _ = try await server.account("alice", role: .moderator)
        try await HerdwatchApplication.make(server.components).test(.router) { client in
            var browser = Browser()
            let wrong = try await browser.signIn(client, username: "alice", password: "nope")
            let unknown = try await browser.signIn(client, username: "nobody", password: "nope")
            #expect(wrong.status == .unauthorized)
            #expect(unknown.status == .unauthorized)
            #expect(String(buffer: wrong.body).contains("The username or password is wrong"))
            #expect(String(buffer: unknown.body).contains("The username or password is wrong"))
            #expect(browser.cookies["herdwatch"] == nil)

            var forger = Browser()
            let forged = try await forger.send(
                client, "/herdwatch/login", method: .post, form: ["username": "alice", "password": "correct horse battery", "csrf": "guess"])
            #expect(forged.status == .forbidden)
            #expect(forger.cookies["herdwatch"] == nil)
            let crossSite = try await browser.send(
                client, "/herdwatch/login", method: .post,
                form: ["username": "alice", "password": "correct horse battery", "csrf": browser.cookies["herdwatch-login"] ?? ""],
                headers: [.secFetchSite: "cross-site"])
            #expect(crossSite.status == .forbidden)
        }
    }

    @Test("every workbench page and asset carries a strict Content-Security-Policy and the other safety headers")
    func securityHeaders() async throws {
        let server = try TestServer()
        _ = try await server.account("alice", role: .moderator)
        try await HerdwatchApplication.make(server.components).test(.router) { client in
            var browser = Browser()
            var responses = [try await browser.send(client, "/herdwatch/login")]
            _ = try await browser.signIn(client, username: "alice", password: "correct horse battery")
            let id = try await server.holdCase(client, content: "<p>holdme</p>")
            for path in ["/herdwatch/", "/herdwatch/cases/\(id)", "/herdwatch/cases/999", "/herdwatch/help", "/herdwatch/assets/app.js", "/herdwatch/assets/app.css"] {
                responses.append(try await browser.send(client, path))
            }
            for response in responses {
                let csp = try #require(response.headers[.contentSecurityPolicy])
                #expect(csp.contains("default-src 'none'"))
                #expect(csp.contains("script-src 'self'"))
                #expect(csp.contains("frame-ancestors 'none'"))
                #expect(!csp.contains("unsafe-inline"))
                #expect(!csp.contains("http"))
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
                #expect(response.headers[.referrerPolicy] == "no-referrer")
            }
        }
    }

    @Test("a hostile post renders as text: markup, event handlers, javascript: links and SVG never become elements")
    func hostilePostIsText() async throws {
        let server = try TestServer()
        _ = try await server.account("alice", role: .moderator)
        let hostile = [
            "&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(2)&gt;", "&lt;svg onload=alert(3)&gt;",
            "&lt;a href=\"javascript:alert(4)\"&gt;click&lt;/a&gt;", "&lt;style&gt;body{display:none}&lt;/style&gt;",
            "\"\u{301} onmouseover=alert(5) x=\"",
        ]
        let content = "<p>holdme " + hostile.joined(separator: " ") + "</p><script>alert(6)</script><img src=x onerror=alert(7)><a href=\"javascript:alert(8)\">link</a>"
        try await HerdwatchApplication.make(server.components).test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, username: "alice", password: "correct horse battery")
            let id = try await server.holdCase(client, content: content, summary: "<b>cw</b> &lt;script&gt;alert(9)&lt;/script&gt;")
            let page = try await browser.send(client, "/herdwatch/cases/\(id)")
            #expect(page.status == .ok)
            let html = String(buffer: page.body)
            // The only script element is the page's own.
            #expect(html.components(separatedBy: "<script").count == 2)
            #expect(html.contains("<script src=\"/herdwatch/assets/app.js\" defer></script>"))
            for element in ["<svg", "<style", "<a href=\"javascript", "onerror=", "onload=", "onmouseover="] {
                #expect(!html.contains(element), "the page contains \(element)")
            }
            // The only image is the page's own preview slot: hidden, with no source until the moderator reveals it.
            #expect(html.components(separatedBy: "<img").count == 2)
            #expect(html.contains("<img class=\"media-image\" alt=\"\" hidden data-src=\"/herdwatch/cases/\(id)/media/0\">"))
            #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(html.contains("&lt;img src&#61;x onerror&#61;alert(2)&gt;"))
            #expect(html.contains("&quot;\u{301} onmouseover&#61;alert(5)"))
            // The media address is text, hidden until revealed, never a source.
            #expect(html.contains("<code class=\"media-url\" hidden>https://media.remote.example/x.png</code>"))
            #expect(!html.contains("src=\"https://media"))
        }
    }

    @Test("a decision from the case page needs the session's CSRF token, a decision and a reason")
    func decideFromThePage() async throws {
        let server = try TestServer()
        _ = try await server.account("alice", role: .moderator)
        try await HerdwatchApplication.make(server.components).test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, username: "alice", password: "correct horse battery")
            let id = try await server.holdCase(client, content: "<p>holdme</p>")
            let page = String(buffer: try await browser.send(client, "/herdwatch/cases/\(id)").body)
            // The matched word is highlighted, named by its rule.
            #expect(page.contains("<mark title=\"test.hold\">holdme</mark>"))
            let csrf = try #require(Browser.hidden("csrf", in: page))
            let forged = try await browser.send(client, "/herdwatch/cases/\(id)/decide", method: .post, form: ["csrf": "x", "action": "reject", "reason": "spam"])
            #expect(forged.status == .forbidden)
            let noReason = try await browser.send(client, "/herdwatch/cases/\(id)/decide", method: .post, form: ["csrf": csrf, "action": "reject"])
            #expect(noReason.status == .unprocessableContent)
            #expect(try await server.cases.reviewCase(id: id)?.state == .open)
            let decided = try await browser.send(
                client, "/herdwatch/cases/\(id)/decide", method: .post, form: ["csrf": csrf, "action": "reject", "reason": "spam", "then": "case"])
            #expect(decided.status == .seeOther)
            let stored = try #require(try await server.cases.reviewCase(id: id))
            #expect(stored.state == .closed)
            #expect(stored.outcome == .rejected)
            #expect(stored.decidedBy == "alice")
        }
    }

    @Test("the delivery's headers (IP addresses, personal data) are shown to moderators and never to contractors")
    func contractorsSeeNoPersonalData() async throws {
        let server = try TestServer()
        _ = try await server.account("mod", role: .moderator)
        let contractor = try await server.account("con", role: .contractor)
        try await server.cases.saveQueue(CaseQueue(name: "holds", filter: CaseFilter(action: .hold)))
        try await server.cases.assignQueues(["holds"], toAccount: contractor.id)
        let request = StoredRequest(
            method: "POST", target: "/inbox", headers: [.init(name: "X-Forwarded-For", value: "203.0.113.77")], body: [], receivedAt: Date(),
            signedAt: nil)
        let opened = try await server.cases.open(
            NewCase(
                activityID: "https://remote.example/a/1", actorID: "https://remote.example/users/x", signer: nil, deliveryKey: "k1",
                source: .inbox, verdict: .init(action: .hold, score: 5, hits: [], shadowHits: [], errors: [], rulesetVersion: "t"),
                body: Array(#"{"id":"https://remote.example/a/1","type":"Create","actor":"https://remote.example/users/x","object":{"type":"Note","content":"hi"}}"#.utf8),
                request: request, openedAt: Date()))
        try await HerdwatchApplication.make(server.components).test(.router) { client in
            for (name, shows) in [("mod", true), ("con", false)] {
                var browser = Browser()
                _ = try await browser.signIn(client, username: name, password: "correct horse battery")
                let html = String(buffer: try await browser.send(client, "/herdwatch/cases/\(opened.reviewCase.id)").body)
                #expect(html.contains("Case #\(opened.reviewCase.id)"))
                #expect(html.contains("203.0.113.77") == shows, "\(name)")
            }
        }
    }

    @Test("signing out ends the session: its cookie no longer opens pages")
    func signOut() async throws {
        let server = try TestServer()
        _ = try await server.account("alice", role: .moderator)
        try await HerdwatchApplication.make(server.components).test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, username: "alice", password: "correct horse battery")
            let stolen = browser.cookies
            let page = String(buffer: try await browser.send(client, "/herdwatch/").body)
            let csrf = try #require(Browser.hidden("csrf", in: page))
            let out = try await browser.send(client, "/herdwatch/logout", method: .post, form: ["csrf": csrf])
            #expect(out.headers[.location] == "/herdwatch/login")
            var replay = Browser(cookies: stolen)
            let after = try await replay.send(client, "/herdwatch/")
            #expect(after.status == .seeOther)
        }
    }
}

extension WorkbenchWebTests {
    @Test("a disabled account's open session stops working at its next request")
    func disabledAccountIsSignedOut() async throws {
        let server = try TestServer()
        let alice = try await server.account("alice", role: .moderator)
        try await HerdwatchApplication.make(server.components).test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, username: "alice", password: "correct horse battery")
            #expect(try await browser.send(client, "/herdwatch/").status == .ok)
            try await server.access.disable(alice)
            let after = try await browser.send(client, "/herdwatch/")
            #expect(after.status == .seeOther)
            #expect(after.headers[.location] == "/herdwatch/login")
        }
    }

    @Test("repeated wrong passwords are throttled with 429 and a message saying when to retry")
    func signInIsThrottled() async throws {
        let server = try TestServer()
        _ = try await server.account("alice", role: .moderator)
        try await HerdwatchApplication.make(server.components).test(.router) { client in
            var browser = Browser()
            for _ in 0..<5 {
                #expect(try await browser.signIn(client, username: "alice", password: "wrong").status == .unauthorized)
            }
            let throttled = try await browser.signIn(client, username: "alice", password: "correct horse battery")
            #expect(throttled.status == .tooManyRequests)
            #expect(String(buffer: throttled.body).contains("Too many failed sign-ins; try again in"))
            #expect(browser.cookies["herdwatch"] == nil)
        }
    }

    @Test("a contractor only reaches cases in their queues, and not the audit log or users pages")
    func contractorLimits() async throws {
        let server = try TestServer()
        let contractor = try await server.account("con", role: .contractor)
        _ = try await server.account("lead", role: .lead)
        try await server.cases.saveQueue(CaseQueue(name: "flags", filter: CaseFilter(action: .flag)))
        try await server.cases.assignQueues(["flags"], toAccount: contractor.id)
        try await HerdwatchApplication.make(server.components).test(.router) { client in
            let held = try await server.holdCase(client, content: "<p>holdme</p>")
            var con = Browser()
            _ = try await con.signIn(client, username: "con", password: "correct horse battery")
            #expect(try await con.send(client, "/herdwatch/cases/\(held)").status == .forbidden)
            #expect(try await con.send(client, "/herdwatch/audit").status == .forbidden)
            #expect(try await con.send(client, "/herdwatch/users").status == .forbidden)
            let queue = String(buffer: try await con.send(client, "/herdwatch/").body)
            #expect(!queue.contains("/herdwatch/cases/\(held)\""))
            var lead = Browser()
            _ = try await lead.signIn(client, username: "lead", password: "correct horse battery")
            #expect(try await lead.send(client, "/herdwatch/cases/\(held)").status == .ok)
            #expect(try await lead.send(client, "/herdwatch/audit").status == .ok)
            #expect(try await lead.send(client, "/herdwatch/users").status == .forbidden)
        }
    }

    @Test("next leases the case to the moderator, a second moderator gets another, and the lease shows on the page")
    func nextLeases() async throws {
        let server = try TestServer()
        _ = try await server.account("ann", role: .moderator)
        _ = try await server.account("bob", role: .moderator)
        try await HerdwatchApplication.make(server.components).test(.router) { client in
            let first = try await server.holdCase(client, content: "<p>holdme one</p>")
            let second = try await server.holdCase(client, content: "<p>holdme two</p>")
            var ann = Browser()
            var bob = Browser()
            _ = try await ann.signIn(client, username: "ann", password: "correct horse battery")
            _ = try await bob.signIn(client, username: "bob", password: "correct horse battery")
            func next(_ browser: inout Browser) async throws -> String? {
                let page = String(buffer: try await browser.send(client, "/herdwatch/").body)
                let csrf = try #require(Browser.hidden("csrf", in: page))
                return try await browser.send(client, "/herdwatch/next", method: .post, form: ["csrf": csrf]).headers[.location]
            }
            let annGot = try await next(&ann)
            let bobGot = try await next(&bob)
            #expect(Set([annGot, bobGot]) == Set(["/herdwatch/cases/\(first)", "/herdwatch/cases/\(second)"]))
            let annPage = String(buffer: try await ann.send(client, annGot ?? "").body)
            #expect(annPage.contains("leased to you until"))
            #expect(annPage.contains("data-leased=\"true\""))
            let seenByBob = String(buffer: try await bob.send(client, annGot ?? "").body)
            #expect(seenByBob.contains("in review by ann"))
            #expect(!seenByBob.contains("id=\"decide-form\""))
            #expect(try await next(&ann) == "/herdwatch/?flash=empty")
        }
    }
}

extension WorkbenchWebTests {
    @Test("a moderator's proposal to block a domain waits for a lead, who confirms it from the proposals page")
    func proposals() async throws {
        let server = try TestServer()
        _ = try await server.account("mod", role: .moderator)
        _ = try await server.account("lead", role: .lead)
        try await HerdwatchApplication.make(server.components).test(.router) { client in
            let id = try await server.holdCase(client, content: "<p>holdme</p>")
            var mod = Browser()
            _ = try await mod.signIn(client, username: "mod", password: "correct horse battery")
            let page = String(buffer: try await mod.send(client, "/herdwatch/cases/\(id)").body)
            let csrf = try #require(Browser.hidden("csrf", in: page))
            let version = try #require(Browser.hidden("version", in: page))
            let decided = try await mod.send(
                client, "/herdwatch/cases/\(id)/decide", method: .post,
                form: ["csrf": csrf, "version": version, "action": "reject", "propose[]": "block_domain", "reason": "spam"])
            #expect(decided.status == .seeOther)
            #expect(try await mod.send(client, "/herdwatch/proposals").status == .forbidden)

            var lead = Browser()
            _ = try await lead.signIn(client, username: "lead", password: "correct horse battery")
            let list = String(buffer: try await lead.send(client, "/herdwatch/proposals").body)
            #expect(list.contains("block domain"))
            #expect(list.contains("<code>remote.example</code>"))
            let proposal = try #require(try await server.cases.proposals(state: .pending, limit: 10).first)
            let leadCSRF = try #require(Browser.hidden("csrf", in: list))
            let confirmed = try await lead.send(client, "/herdwatch/proposals/\(proposal.id)/confirm", method: .post, form: ["csrf": leadCSRF])
            #expect(confirmed.headers[.location] == "/herdwatch/proposals")
            #expect(try await server.cases.proposals(state: .confirmed, limit: 10).map(\.id) == [proposal.id])
        }
    }
}

@Suite("Workbench sessions")
struct WorkbenchSessionTests {
    @Test("a session expires after its idle time, and the store never holds the cookie's value")
    func idleExpiry() async throws {
        let store = InMemorySessionStore()
        let clock = Mutex(Date(timeIntervalSince1970: 1_700_000_000))
        let driver = SessionPersistDriver(store: store, now: { clock.withLock { $0 } })
        let at = Date(timeIntervalSince1970: 1_700_000_000)
        let session = WorkbenchSession(accountID: 1, username: "a", csrf: "c", signedInAt: at, lastSeen: at)
        try await driver.create(key: "s.cookie-value", value: session, expires: .seconds(1800))
        #expect(try await driver.get(key: "s.cookie-value", as: WorkbenchSession.self) == session)
        #expect(try await store.session(key: "s.cookie-value", now: clock.withLock { $0 }) == nil)
        clock.withLock { $0 += 1801 }
        #expect(try await driver.get(key: "s.cookie-value", as: WorkbenchSession.self) == nil)
    }
}

@Suite("Workbench templates")
struct WorkbenchTemplateTests {
    @Test("every template declares strict escaping and none inserts a value unescaped")
    func templatesEscape() {
        for (name, text) in WebTemplates.all {
            #expect(text.hasPrefix(WebTemplates.pragma), "\(name)")
            #expect(!text.contains("{{{"), "\(name)")
            #expect(!text.contains("{{&"), "\(name)")
            #expect(!text.contains("<script>"), "\(name) has inline script")
            #expect(!text.contains("style=\""), "\(name) has inline style")
            #expect(text.range(of: #"\son[a-z]+\s*="#, options: .regularExpression) == nil, "\(name) has an event handler attribute")
        }
    }

    @Test("strict escaping works on Unicode scalars: a quote or bracket followed by a combining mark is still escaped")
    func strictEscaping() {
        #expect(StrictHTML.escape("a\"\u{301}b") == "a&quot;\u{301}b")
        #expect(StrictHTML.escape("<\u{338}x") == "&lt;\u{338}x")
        #expect(StrictHTML.escape("x=`y` 'z' & \u{7}\u{85}") == "x&#61;&#96;y&#96; &#39;z&#39; &amp; ")
        let rendered = PageRenderer().render("message", ["heading": "\"\u{301} onmouseover=alert(1) x=\"", "text": "<b>", "title": "t"])
        #expect(!rendered.contains("onmouseover="))
        #expect(rendered.contains("&lt;b&gt;"))
    }

    @Test("the highlighted runs cover the matched spans and the whole text, merge overlaps, and ignore bad offsets")
    func highlighting() {
        let text = "buy cheap pills now"
        func hit(_ rule: String, _ start: Int, _ end: Int, form: String = "raw") -> RuleHitFixture { .init(rule: rule, start: start, end: end, form: form) }
        let hits = [hit("a", 4, 9), hit("b", 6, 15), hit("c", 16, 99), hit("d", 0, 3, form: "folded")].map(\.hit)
        let segments = CaseView.highlight(text, hits: hits)
        #expect(segments.map(\.text).joined() == text)
        #expect(segments.map(\.text) == ["buy", " ", "cheap pills", " now"])
        #expect(segments.map(\.rules) == [["d"], [], ["a", "b"], []])
        // Folded offsets do not carry over to non-ASCII text (folding may change lengths): not highlighted.
        let accented = "büy cheap"
        let folded = CaseView.highlight(accented, hits: [hit("d", 0, 3, form: "folded").hit, hit("e", 5, 10).hit])
        #expect(folded.map(\.text) == ["büy ", "cheap"])
        #expect(folded.map(\.rules) == [[], ["e"]])
        // A span ending inside a character is ignored.
        #expect(CaseView.highlight(accented, hits: [hit("f", 0, 2).hit]).map(\.rules) == [[]])
    }
}

struct RuleHitFixture {
    var rule: String
    var start: Int
    var end: Int
    var form: String

    var hit: RuleHit {
        let span = try! JSONDecoder().decode(
            Span.self,
            from: Data(#"{"form":"\#(form)","utf8Start":\#(start),"utf8End":\#(end),"characterStart":\#(start),"characterEnd":\#(end),"excerpt":""}"#.utf8))
        return RuleHit(rule: rule, description: rule, score: 1, action: nil, tags: [], evidence: [Evidence(kind: .match, field: "content", detail: "", span: span)], labels: [])
    }
}

@Suite("Lease expiry")
struct LeaseExpiryTests {
    @Test("an expired lease goes back to the queue, with an audit entry made by expiry; a live one stays")
    func expiredLeasesReturn() async throws {
        let cases = InMemoryCaseStore()
        let verdict = Verdict(action: .hold, score: 5, hits: [], shadowHits: [], errors: [], rulesetVersion: "t")
        for key in ["a", "b"] {
            _ = try await cases.open(
                NewCase(
                    activityID: "https://remote.example/\(key)", actorID: "https://remote.example/users/\(key)", signer: nil,
                    deliveryKey: key, source: .hook, verdict: verdict, body: Array("{}".utf8), request: nil, openedAt: Date()))
        }
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        let ann = Principal(account: Account(id: 1, username: "ann", role: .moderator, passwordHash: "", createdAt: start), token: nil, via: .ui)
        let short = try #require(try await cases.next(for: ann, queue: nil, lease: 60, at: start))
        let long = try #require(try await cases.next(for: ann, queue: nil, lease: 600, at: start))
        let service = LeaseExpiryService(cases: cases, interval: .seconds(30), logger: Logger(label: "test"), now: { start + 120 })
        await service.expire()
        #expect(try await cases.reviewCase(id: short.id)?.state == .open)
        #expect(try await cases.reviewCase(id: long.id)?.state == .inReview)
        let entries = try await cases.audit(caseID: short.id, limit: 10)
        #expect(entries.first?.via == .expiry)
    }
}

@Suite("Evidence digest")
struct EvidenceDigestTests {
    @Test("each store keeps the SHA-256 of the evidence as it arrived; any change to the stored evidence shows", arguments: StoreKind.allCases)
    func digestKept(kind: StoreKind) async throws {
        let (cases, cleanup) = try kind.caseStore()
        defer { cleanup() }
        let request = StoredRequest(
            method: "POST", target: "/inbox", headers: [.init(name: "Host", value: "social.example"), .init(name: "Signature", value: "x")],
            body: Array(#"{"type":"Create"}"#.utf8), receivedAt: Date(), signedAt: nil)
        let opened = try await cases.open(
            NewCase(
                activityID: "https://remote.example/a", actorID: nil, signer: nil, deliveryKey: "k", source: .inbox,
                verdict: Verdict(action: .hold, score: 1, hits: [], shadowHits: [], errors: [], rulesetVersion: "t"),
                body: request.body, request: request, openedAt: Date())
        ).reviewCase
        let stored = try #require(try await cases.reviewCase(id: opened.id))
        let digest = try #require(stored.evidenceDigest)
        #expect(digest.count == 64)
        #expect(digest == EvidenceDigest.of(body: request.body, request: request))
        #expect(stored.currentEvidenceDigest == digest)
        // A header's bytes moved into its neighbour, or a changed body, is a different digest.
        var shifted = request
        shifted.headers = [.init(name: "Hostsocial.example", value: ""), .init(name: "Signature", value: "x")]
        #expect(EvidenceDigest.of(body: request.body, request: shifted) != digest)
        #expect(EvidenceDigest.of(body: Array(#"{"type":"Delete"}"#.utf8), request: request) != digest)
    }
}

extension WorkbenchWebTests {
    @Test("the actor document kept with the case shows as the public profile, as text, and is part of the evidence digest")
    func actorDocumentOnThePage() async throws {
        let server = try TestServer()
        _ = try await server.account("alice", role: .contractor)
        try await server.cases.saveQueue(CaseQueue(name: "all", filter: CaseFilter()))
        let alice = try #require(try await server.access.store.account(username: "alice"))
        try await server.cases.assignQueues(["all"], toAccount: alice.id)
        let document = Array(#"{"id":"https://remote.example/users/m","type":"Person","preferredUsername":"mallory","name":"<b>Mal</b>","summary":"<p>I sell &lt;script&gt;followers&lt;/script&gt;</p>","published":"2026-12-06T00:00:00Z"}"#.utf8)
        let body = Array(#"{"id":"https://remote.example/a/9","type":"Create","actor":"https://remote.example/users/m","object":{"type":"Note","content":"hi"}}"#.utf8)
        let opened = try await server.cases.open(
            NewCase(
                activityID: "https://remote.example/a/9", actorID: "https://remote.example/users/m", signer: nil, deliveryKey: "k9",
                source: .hook, verdict: Verdict(action: .hold, score: 1, hits: [], shadowHits: [], errors: [], rulesetVersion: "t"),
                body: body, request: nil, openedAt: Date(), actorDocument: document)
        ).reviewCase
        #expect(opened.evidenceDigest == EvidenceDigest.of(body: body, request: nil, actorDocument: document))
        #expect(opened.evidenceDigest != EvidenceDigest.of(body: body, request: nil))
        try await HerdwatchApplication.make(server.components).test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, username: "alice", password: "correct horse battery")
            let html = String(buffer: try await browser.send(client, "/herdwatch/cases/\(opened.id)").body)
            #expect(html.contains("<dd>mallory</dd>"))
            #expect(html.contains("<dd>&lt;b&gt;Mal&lt;/b&gt;</dd>"))
            #expect(html.contains("I sell &lt;script&gt;followers&lt;/script&gt;"))
            #expect(html.contains("(matches what arrived)"))
        }
    }
}
