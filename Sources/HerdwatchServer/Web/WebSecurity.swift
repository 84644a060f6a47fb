import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// Headers on every workbench page and asset: a Content-Security-Policy that allows only Herdwatch's own scripts,
/// styles and images (no inline script, no remote origin, no framing, no plugins), no MIME sniffing, no referrer
/// (a case URL never leaks to a link's site), and no caching of pages that show held content.
struct WebSecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    static var contentSecurityPolicy: String {
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        Self.apply(to: &response.headers)
        return response
    }

    static func apply(to headers: inout HTTPFields) {
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[.xContentTypeOptions] = "nosniff"
        headers[.xFrameOptions] = "DENY"
        headers[.referrerPolicy] = "no-referrer"
        headers[.crossOriginOpenerPolicy] = "same-origin"
        headers[.crossOriginResourcePolicy] = "same-origin"
        headers[.permissionsPolicy] = "camera=(), microphone=(), geolocation=()"
        if headers[.cacheControl] == nil { headers[.cacheControl] = "no-store" }
    }
}

/// Cross-site request forgery checks for the workbench's forms and script calls. Three layers: the session
/// cookie is `SameSite=Strict`; a state-changing request must come from our own origin (`Sec-Fetch-Site` or
/// `Origin`, when the browser sends them); and it must carry the session's CSRF token (form field `csrf` or
/// header `X-CSRF-Token`), compared in constant time.
enum CSRF {
    /// A new random token (32 bytes, base64url).
    static func makeToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Whether the request says it came from another site. Browsers send `Sec-Fetch-Site`; older ones send
    /// `Origin` on POST. Requests with neither (curl) pass this check and still need the token.
    static func isCrossSite(_ request: Request) -> Bool {
        if let site = request.headers[.secFetchSite] {
            return !(site == "same-origin" || site == "none")
        }
        if let origin = request.headers[.origin], let host = request.head.authority {
            guard let url = URL(string: origin), let originHost = url.host else { return true }
            let port = url.port.map { ":\($0)" } ?? ""
            return "\(originHost)\(port)".lowercased() != host.lowercased()
        }
        return false
    }

    static func matches(_ presented: String?, _ expected: String) -> Bool {
        guard let presented else { return false }
        let a = Array(presented.utf8)
        let b = Array(expected.utf8)
        guard a.count == b.count, !b.isEmpty else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

extension HTTPField.Name {
    static let xFrameOptions = Self("X-Frame-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
    static let crossOriginOpenerPolicy = Self("Cross-Origin-Opener-Policy")!
    static let crossOriginResourcePolicy = Self("Cross-Origin-Resource-Policy")!
    static let permissionsPolicy = Self("Permissions-Policy")!
    static let secFetchSite = Self("Sec-Fetch-Site")!
    static let csrfToken = Self("X-CSRF-Token")!
}
