import Access
import Configuration
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Intake
import Logging
import NIOCore
import Testing

@testable import HerdwatchServer

/// Every route with every kind of caller: the answer each gets, and that a contractor never reaches an admin or
/// lead route. A route added to `HerdwatchRouter` fails `theMatrixCoversEveryRoute` until it has a row here.
@Suite("Routes × roles")
struct RoleMatrixTests {
    enum Caller: String, CaseIterable, CustomTestStringConvertible {
        case admin, lead, moderator, contractor
        /// A token of its own with the `check` scope, as a server calling the hook has.
        case checkToken
        case noToken

        var testDescription: String { rawValue }
        var role: Account.Role? { Account.Role(rawValue: rawValue) }
    }

    struct Route: Sendable, CustomTestStringConvertible {
        var method: HTTPRequest.Method
        /// As the router lists it, `{id}` for a case id.
        var path: String
        /// The permission the route needs; nil for an open route.
        var permission: Permission?
        /// What a caller the route admits gets.
        var success: HTTPResponse.Status = .ok
        /// A workbench page or form: it takes a browser session, never a token (a token caller is sent to the
        /// sign-in page, or refused for a post). Sessions by role are driven in `WorkbenchRoleTests`.
        var session = false
        /// Limited to a contractor's queues: a contractor with none assigned (as here) is refused.
        var queueLimited = false
        /// What a contractor with no queue gets instead, when it is not a refusal (nothing to hand out, or a body
        /// that is checked first).
        var contractor: HTTPResponse.Status?

        var testDescription: String { "\(method) \(path)" }
    }

    static let routes: [Route] = [
        Route(method: .get, path: "/healthz", permission: nil),
        Route(method: .get, path: "/metrics", permission: nil),
        Route(method: .post, path: "/api/v1/check", permission: .check),
        Route(method: .get, path: "/herdwatch/api/v1/cases", permission: .decide, queueLimited: true),
        Route(method: .get, path: "/herdwatch/api/v1/cases/{id}", permission: .decide, queueLimited: true),
        Route(method: .post, path: "/herdwatch/api/v1/cases/{id}/approve", permission: .decide, queueLimited: true),
        Route(method: .post, path: "/herdwatch/api/v1/cases/{id}/reject", permission: .decide, queueLimited: true),
        // The workflow API; bodies are not sent, so routes that need one answer 400.
        Route(method: .post, path: "/herdwatch/api/v1/cases/next", permission: .decide, success: .ok, contractor: .noContent),
        Route(method: .post, path: "/herdwatch/api/v1/cases/{id}/claim", permission: .decide, queueLimited: true),
        Route(method: .post, path: "/herdwatch/api/v1/cases/{id}/renew", permission: .decide, success: .conflict, queueLimited: true),
        Route(method: .post, path: "/herdwatch/api/v1/cases/{id}/release", permission: .decide, success: .conflict, queueLimited: true),
        Route(method: .post, path: "/herdwatch/api/v1/cases/{id}/decide", permission: .decide, success: .badRequest),
        Route(method: .post, path: "/herdwatch/api/v1/cases/{id}/notes", permission: .decide, success: .badRequest),
        Route(method: .post, path: "/herdwatch/api/v1/cases/{id}/cluster", permission: .decide, queueLimited: true),
        Route(method: .post, path: "/herdwatch/api/v1/cases/bulk", permission: .decide, success: .badRequest),
        Route(method: .get, path: "/herdwatch/api/v1/audit", permission: .viewAudit),
        Route(method: .get, path: "/herdwatch/api/v1/queues", permission: .decide),
        Route(method: .put, path: "/herdwatch/api/v1/queues/{name}", permission: .manageQueues),
        Route(method: .delete, path: "/herdwatch/api/v1/queues/{name}", permission: .manageQueues, success: .notFound),
        Route(method: .get, path: "/herdwatch/api/v1/accounts/{id}/queues", permission: .manageQueues),
        Route(method: .put, path: "/herdwatch/api/v1/accounts/{id}/queues", permission: .manageQueues, success: .badRequest),
        Route(method: .get, path: "/herdwatch/api/v1/proposals", permission: .decide),
        Route(method: .post, path: "/herdwatch/api/v1/proposals/{id}/confirm", permission: .confirmProposals, success: .notFound),
        Route(method: .post, path: "/herdwatch/api/v1/proposals/{id}/refuse", permission: .confirmProposals, success: .notFound),
        Route(method: .post, path: "/herdwatch/api/v1/rules/reload", permission: .administer),
        // Quality: metrics, service levels.
        Route(method: .get, path: "/herdwatch/api/v1/metrics", permission: .viewMetrics),
        Route(method: .put, path: "/herdwatch/api/v1/queues/{name}/sla", permission: .manageQueues, success: .badRequest),
        // QA: nothing is sampled, so nothing to review; an answer without a body is refused. Not for contractors.
        Route(method: .post, path: "/herdwatch/api/v1/qa/next", permission: .decide, success: .noContent, queueLimited: true),
        Route(method: .post, path: "/herdwatch/api/v1/qa/{id}/answer", permission: .decide, success: .badRequest, queueLimited: true),
        // Mastodon's domain-block API; ids here are case ids, which name no block, and no body is sent.
        Route(method: .get, path: "/api/v1/admin/domain_blocks", permission: .readBlocklist),
        Route(method: .get, path: "/api/v1/admin/domain_blocks/{id}", permission: .readBlocklist, success: .notFound),
        Route(method: .post, path: "/api/v1/admin/domain_blocks", permission: .writeBlocklist, success: .unprocessableContent),
        Route(method: .put, path: "/api/v1/admin/domain_blocks/{id}", permission: .writeBlocklist, success: .notFound),
        Route(method: .delete, path: "/api/v1/admin/domain_blocks/{id}", permission: .writeBlocklist, success: .notFound),
        Route(method: .post, path: "/api/v1/admin/measures", permission: .readBlocklist, success: .badRequest),
        Route(method: .get, path: "/api/v1/instance/domain_blocks", permission: nil),
        Route(method: .get, path: "/herdwatch/blocklist.csv", permission: nil),
        // Publishing and subscriptions: the test server's in-memory store keeps no keys or snapshots, so the
        // published files answer 404 (served from SQLite in BlocklistFeedRoutesTests).
        Route(method: .get, path: "/.well-known/herdwatch-blocklist-keys", permission: nil, success: .notFound),
        Route(method: .get, path: "/herdwatch/blocklist/changes", permission: nil, success: .notFound),
        Route(method: .get, path: "/herdwatch/blocklist/{name}", permission: nil, success: .notFound),
        Route(method: .get, path: "/herdwatch/api/v1/blocklist/subscriptions", permission: .readBlocklist),
        Route(method: .post, path: "/herdwatch/api/v1/blocklist/subscriptions/{id}/sync", permission: .writeBlocklist, success: .notFound),
        // Review of subscription drafts; no body is sent, and {id} names no batch.
        Route(method: .get, path: "/herdwatch/api/v1/blocklist/drafts", permission: .readBlocklist),
        Route(method: .post, path: "/herdwatch/api/v1/blocklist/drafts/apply", permission: .writeBlocklist, success: .badRequest),
        Route(method: .post, path: "/herdwatch/api/v1/blocklist/drafts/dismiss", permission: .writeBlocklist, success: .badRequest),
        Route(method: .get, path: "/herdwatch/api/v1/blocklist/batches", permission: .readBlocklist),
        Route(method: .post, path: "/herdwatch/api/v1/blocklist/batches/{id}/undo", permission: .writeBlocklist, success: .notFound),
        // The workbench: open pages and assets, then pages that need a session.
        Route(method: .get, path: "/herdwatch/login", permission: nil),
        Route(method: .post, path: "/herdwatch/login", permission: nil, success: .badRequest),
        Route(method: .get, path: "/herdwatch/assets/{name}", permission: nil),
    ] + [
        "/herdwatch", "/herdwatch/help", "/herdwatch/cases/{id}", "/herdwatch/cases/{id}/media/{index}", "/herdwatch/cases/{id}/cluster",
        "/herdwatch/audit", "/herdwatch/users", "/herdwatch/proposals",
        "/herdwatch/audit", "/herdwatch/metrics", "/herdwatch/settings", "/herdwatch/users", "/herdwatch/blocklists",
    ].map {
        Route(method: .get, path: $0, permission: nil, session: true)
    } + [
        "/herdwatch/logout", "/herdwatch/next", "/herdwatch/cases/{id}/decide", "/herdwatch/session/sensitive",
        "/herdwatch/cases/{id}/notes", "/herdwatch/cases/{id}/bulk", "/herdwatch/cases/{id}/renew", "/herdwatch/cases/{id}/release",
        "/herdwatch/proposals/{id}/confirm", "/herdwatch/proposals/{id}/refuse",
        "/herdwatch/settings", "/herdwatch/blocklists/apply", "/herdwatch/blocklists/dismiss",
        "/herdwatch/blocklists/batches/{id}/undo",
    ].map {
        Route(method: .post, path: $0, permission: nil, session: true)
    }

    /// The status `caller` must get on `route`.
    static func expected(_ route: Route, _ caller: Caller) -> HTTPResponse.Status {
        if route.session { return route.method == .get ? .seeOther : .unauthorized }
        guard let permission = route.permission else { return route.success }
        switch caller {
        case .noToken: return .unauthorized
        case .checkToken: return permission == .check ? route.success : .forbidden
        case .contractor where route.contractor != nil: return route.contractor!
        case .contractor where route.queueLimited: return .forbidden
        default: return caller.role!.allows(permission) ? route.success : .forbidden
        }
    }

    @Test func theMatrixCoversEveryRoute() async throws {
        let server = try TestServer()
        let assembly = HerdwatchApplication.Assembly(server.components)
        let router = assembly.router
        let registered = Set(router.routes.map { "\($0.method) \($0.path)" })
        let covered = Set(Self.routes.map(\.testDescription))
        #expect(
            registered.subtracting(covered).isEmpty,
            "routes without a row in RoleMatrixTests.routes: add one with the permission the route needs")
        #expect(covered.subtracting(registered).isEmpty, "rows for routes the router no longer has")
        try await assembly.shutdownPools()
    }

    @Test func everyRouteAnswersEveryCallerAsItsPermissionSays() async throws {
        let rules = try TestRules.directory()
        // No QA sampling: `qa/next` has nothing to hand out however many cases the other rows close.
        let server = try TestServer(values: [
            "rules.directory": .init(.string(rules), isSecret: false), "review.qaShare": 0.0,
        ])
        let actor = try RemoteActor(id: "https://remote.example/users/alice")
        var secrets: [Caller: String] = [:]
        for caller in Caller.allCases {
            if let role = caller.role {
                let account = try await server.access.store.insertAccount(
                    username: caller.rawValue, role: role, passwordHash: "unused", at: Date())
                // Every scope: the role alone must keep each caller out of what it may not do.
                secrets[caller] = try await server.access.issueToken(
                    name: caller.rawValue, scopes: Set(AccessScope.allCases), for: account
                ).secret
            } else if caller == .checkToken {
                secrets[caller] = try await server.token([.check])
            }
        }
        let check = try #require(secrets[.checkToken])
        let callers = secrets
        let app = HerdwatchApplication.make(server.components)
        try await app.test(.router) { client in
            /// A new case (flagged, so that approving it needs no upstream), for a decision of its own.
            func newCase() async throws -> Int {
                let response = try await client.execute(
                    uri: "/api/v1/check", method: .post, headers: [.authorization: "Bearer \(check)"],
                    body: ByteBuffer(string: actor.note("FLAGME \(UUID())")))
                return try #require((try json(String(buffer: response.body))["case"] as? [String: Any])?["id"] as? Int)
            }
            for route in Self.routes {
                for caller in Caller.allCases {
                    var path =
                        route.path.contains("{id}")
                        ? route.path.replacingOccurrences(of: "{id}", with: "\(try await newCase())") : route.path
                    let name = route.path.hasPrefix("/herdwatch/assets/") ? "app.js" : "queue-\(UUID().uuidString.prefix(8))"
                    path = path.replacingOccurrences(of: "{name}", with: name).replacingOccurrences(of: "{index}", with: "0")
                    var headers: HTTPFields = [:]
                    if let secret = callers[caller] { headers[.authorization] = "Bearer \(secret)" }
                    let body = route.path == "/api/v1/check" ? ByteBuffer(string: actor.note("hello")) : nil
                    let response = try await client.execute(
                        uri: path, method: route.method, headers: headers, body: body)
                    let expected = Self.expected(route, caller)
                    #expect(
                        response.status == expected,
                        "\(route.testDescription) as \(caller.rawValue): \(String(buffer: response.body))")
                    #expect(response.status.code < 500)
                    if caller == .contractor, let permission = route.permission, permission != .decide {
                        #expect(response.status == .forbidden, "a contractor reached \(route.testDescription)")
                    }
                }
            }
        }
    }

    @Test func aRefusalSaysWhichPermissionIsMissingAndHowToGetIt() async throws {
        let server = try TestServer()
        let carol = try await server.access.store.insertAccount(
            username: "carol", role: .contractor, passwordHash: "unused", at: Date())
        let bound = try await server.access.issueToken(name: "carol's", scopes: [.admin], for: carol).secret
        let checkOnly = try await server.token([.check])
        let app = HerdwatchApplication.make(server.components)
        try await app.test(.router) { client in
            func error(_ uri: String, _ method: HTTPRequest.Method, _ secret: String?) async throws -> (
                HTTPResponse.Status, String?
            ) {
                let headers: HTTPFields = secret.map { [.authorization: "Bearer \($0)"] } ?? [:]
                let response = try await client.execute(uri: uri, method: method, headers: headers)
                return (response.status, try json(String(buffer: response.body))["error"] as? String)
            }
            let role = try await error("/herdwatch/api/v1/rules/reload", .post, bound)
            #expect(role.0 == .forbidden)
            #expect(
                role.1
                    == "user carol has the role contractor, which lacks the `administer` permission (roles with it: admin); an admin can change it with `herdwatch user role carol ROLE`"
            )
            let scope = try await error("/herdwatch/api/v1/cases", .get, checkOnly)
            #expect(scope.0 == .forbidden)
            #expect(
                scope.1
                    == "the token lacks the `decide` permission; create one with `herdwatch token create --scope moderate`"
            )
            let none = try await error("/herdwatch/api/v1/rules/reload", .post, nil)
            #expect(none.0 == .unauthorized)
            #expect(
                none.1
                    == "send a token as `Authorization: Bearer TOKEN`; create one with `herdwatch token create --scope admin`"
            )

            // Disabled through the server's AccessControl: refused from the next request.
            #expect(
                try await client.execute(
                    uri: "/herdwatch/api/v1/queues", method: .get, headers: [.authorization: "Bearer \(bound)"]
                ).status == .ok)
            try await server.access.disable(carol)
            let disabled = try await error("/herdwatch/api/v1/queues", .get, bound)
            #expect(disabled.0 == .unauthorized)
            #expect(disabled.1 == "the token is unknown or revoked, or its user is disabled")
        }
    }
}

/// `PermissionMiddleware` behind an authenticator that already put a principal in the context, as a browser
/// session will.
@Suite("Permission middleware with a principal from a session")
struct SessionPrincipalPermissionTests {
    /// Puts `principal` in the context, as a session middleware would after reading the cookie.
    struct SignedIn: RouterMiddleware {
        typealias Context = HerdwatchRequestContext
        let principal: Principal

        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
            async throws -> Response
        {
            var context = context
            context.principal = principal
            return try await next(request, context)
        }
    }

    @Test(arguments: Account.Role.allCases)
    func aSessionPrincipalIsCheckedByItsRoleWithoutAToken(role: Account.Role) async throws {
        let access = AccessControl(store: InMemoryAccessStore())
        let account = Account(id: 1, username: "sam", role: role, passwordHash: "", createdAt: Date())
        let router = Router(context: HerdwatchRequestContext.self)
        let group = router.group("/ui").add(
            middleware: SignedIn(principal: Principal(account: account, token: nil, via: .ui)))
        for permission in Permission.allCases {
            group.group(RouterPath(permission.rawValue))
                .add(middleware: PermissionMiddleware(permission, access: access, logger: Logger(label: "test")))
                .get { _, context in context.principal?.displayName ?? "nobody" }
        }
        try await Application(router: router).test(.router) { client in
            for permission in Permission.allCases {
                let response = try await client.execute(uri: "/ui/\(permission.rawValue)", method: .get)
                if role.allows(permission) {
                    #expect(response.status == .ok, "\(role) \(permission)")
                    #expect(String(buffer: response.body) == "sam")
                } else {
                    #expect(response.status == .forbidden, "\(role) \(permission)")
                }
            }
        }
    }

    @Test func aDisabledSessionUserIsRefusedAndToldWhy() async throws {
        let access = AccessControl(store: InMemoryAccessStore())
        let account = Account(
            id: 1, username: "sam", role: .admin, passwordHash: "", createdAt: Date(), disabledAt: Date())
        let router = Router(context: HerdwatchRequestContext.self)
        router.add(middleware: SignedIn(principal: Principal(account: account, token: nil, via: .ui)))
            .add(middleware: PermissionMiddleware(.decide, access: access, logger: Logger(label: "test")))
            .get("/queue") { _, _ in "queue" }
        try await Application(router: router).test(.router) { client in
            let response = try await client.execute(uri: "/queue", method: .get)
            #expect(response.status == .forbidden)
            #expect(
                try json(String(buffer: response.body))["error"] as? String
                    == "user sam is disabled; an admin can enable it with `herdwatch user enable sam`")
        }
    }
}
