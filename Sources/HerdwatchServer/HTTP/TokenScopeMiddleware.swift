import Access
import Hummingbird
import Logging

/// Lets a request through when its `Authorization: Bearer TOKEN` grants `scope`, and puts the token in the
/// context; otherwise answers 401 (no or unknown token), 403 (another scope) or 503 (tokens cannot be read).
struct TokenScopeMiddleware: RouterMiddleware {
    typealias Context = HerdwatchRequestContext

    let access: AccessControl
    let scope: AccessScope
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], let secret = Self.bearerToken(in: header) else {
            return JSONResponse.error(
                .unauthorized, code: "unauthorized",
                "send a token as `Authorization: Bearer TOKEN`; create one with `herdwatch token create --scope \(scope.rawValue)`")
        }
        let token: AccessToken?
        do {
            token = try await access.authenticate(secret: secret)
        } catch {
            logger.error("cannot read tokens", metadata: ["error": "\(error)"])
            return JSONResponse.error(.serviceUnavailable, code: "storage_unavailable", "cannot check the token now; retry later")
        }
        guard let token else {
            return JSONResponse.error(.unauthorized, code: "unauthorized", "the token is unknown or revoked")
        }
        guard token.grants(scope) else {
            return JSONResponse.error(
                .forbidden, code: "forbidden",
                "the token lacks the `\(scope.rawValue)` scope; create one with `herdwatch token create --scope \(scope.rawValue)`")
        }
        var context = context
        context.token = token
        return try await next(request, context)
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
