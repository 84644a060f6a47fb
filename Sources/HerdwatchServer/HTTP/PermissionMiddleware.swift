import Access
import Hummingbird
import Logging

/// Lets a request through when its `Authorization: Bearer TOKEN` names a principal that `allows` `permission`
/// (the token's scopes and, for a token bound to a user, the user's role), and puts the principal and the token in
/// the context; otherwise answers 401 (no or unknown token, revoked, or its user disabled), 403 (not allowed) or
/// 503 (tokens cannot be read). A principal an earlier middleware already put in the context (a browser
/// session's) is checked as it is, without a token.
struct PermissionMiddleware: RouterMiddleware {
    typealias Context = HerdwatchRequestContext

    let access: AccessControl
    let permission: Permission
    let logger: Logger

    init(_ permission: Permission, access: AccessControl, logger: Logger) {
        self.permission = permission
        self.access = access
        self.logger = logger
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        if let principal = context.principal {
            guard principal.allows(permission) else {
                return JSONResponse.error(.forbidden, code: "forbidden", refusal(principal))
            }
            return try await next(request, context)
        }
        guard let header = request.headers[.authorization], let secret = Self.bearerToken(in: header) else {
            return JSONResponse.error(
                .unauthorized, code: "unauthorized",
                "send a token as `Authorization: Bearer TOKEN`; create one with \(tokenCommand)")
        }
        let principal: Principal?
        do {
            principal = try await access.principal(bearer: secret)
        } catch {
            logger.error("cannot read tokens", metadata: ["error": "\(error)"])
            return JSONResponse.error(
                .serviceUnavailable, code: "storage_unavailable", "cannot check the token now; retry later")
        }
        guard let principal else {
            return JSONResponse.error(
                .unauthorized, code: "unauthorized", "the token is unknown or revoked, or its user is disabled")
        }
        guard principal.allows(permission) else {
            return JSONResponse.error(.forbidden, code: "forbidden", refusal(principal))
        }
        var context = context
        context.principal = principal
        context.token = principal.token
        return try await next(request, context)
    }

    /// The scope that covers `permission` with the fewest other rights.
    private var scope: AccessScope {
        AccessScope.allCases.first { $0.covers(permission) } ?? .admin
    }

    private var tokenCommand: String { "`herdwatch token create --scope \(scope.rawValue)`" }

    /// Why `principal` may not: its user is disabled, its user's role, or its token's scopes.
    private func refusal(_ principal: Principal) -> String {
        if let account = principal.account, account.disabledAt != nil {
            return
                "user \(account.username) is disabled; an admin can enable it with `herdwatch user enable \(account.username)`"
        }
        if let account = principal.account, !account.role.allows(permission) {
            let roles = Account.Role.allCases.filter { $0.allows(permission) }.map(\.rawValue).joined(separator: ", ")
            return
                "user \(account.username) has the role \(account.role.rawValue), which lacks the `\(permission.rawValue)` permission (roles with it: \(roles)); an admin can change it with `herdwatch user role \(account.username) ROLE`"
        }
        return "the token lacks the `\(permission.rawValue)` permission; create one with \(tokenCommand)"
    }

    /// The token of an `Authorization: Bearer TOKEN` header (scheme case-insensitive, spaces and tabs around the
    /// token ignored), or nil.
    static func bearerToken(in header: String) -> String? {
        var utf8 = Substring(header).utf8
        let scheme = Array("bearer".utf8)
        guard utf8.count > scheme.count,
            zip(utf8.prefix(scheme.count), scheme).allSatisfy({ $0 | 0x20 == $1 }),
            utf8.dropFirst(scheme.count).first == UInt8(ascii: " ")
        else { return nil }
        utf8 = utf8.dropFirst(scheme.count)
        let blank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        while let first = utf8.first, blank(first) { utf8 = utf8.dropFirst() }
        while let last = utf8.last, blank(last) { utf8 = utf8.dropLast() }
        return utf8.isEmpty ? nil : String(Substring(utf8))
    }
}
