import AsyncHTTPClient
import Blocklists
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// Why a request to the destination failed: the HTTP status when the server answered, and a message that says
/// what to do. The server's own `error` text is kept (it names a domain, never a post).
struct PushRequestError: Error, Sendable, CustomStringConvertible {
    var status: Int?
    var message: String

    var description: String { message }

    /// Whether the token was refused: every other request would be refused too.
    var isAuthorization: Bool { status == 401 || status == 403 }
}

/// How long a push may wait on a server that says "429 Too Many Requests", shared by all its requests: a few
/// tries per request and a total wait cap, after which requests fail with a clear error and the push goes on.
final class RateLimitBudget: Sendable {
    let attemptsPerRequest: Int
    let totalWait: Duration
    private let waited = Mutex<Duration>(.zero)

    init(attemptsPerRequest: Int = 4, totalWait: Duration) {
        self.attemptsPerRequest = attemptsPerRequest
        self.totalWait = totalWait
    }

    /// Books `wait` and returns true when it stays within the cap.
    func spend(_ wait: Duration) -> Bool {
        waited.withLock { waited in
            guard waited + wait <= totalWait else { return false }
            waited += wait
            return true
        }
    }
}

/// The parts of Mastodon's admin API a push uses (`/api/v1/admin/domain_blocks` and `/api/v1/admin/measures`),
/// with a bearer token. Any server with Mastodon's API works, Herdwatch's own included.
struct MastodonAdminClient: Sendable {
    /// `scheme://host[:port]`, without a trailing slash.
    let base: String
    let token: String
    let http: HTTPClient
    let budget: RateLimitBudget
    var timeout: TimeAmount = .seconds(30)

    /// The destination's base URL from `text`: https, or plain http to a loopback address only (a token sent in
    /// clear over a network can be read on the way).
    static func destination(_ text: String) throws(PushRequestError) -> String {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(), let host = url.host,
            !host.isEmpty, url.user == nil, url.query == nil
        else {
            throw PushRequestError(
                message: "--to \(text) is not a server URL; write one such as https://mastodon.example")
        }
        let loopback = ["localhost", "127.0.0.1", "::1", "[::1]"].contains(host.lowercased()) || host.hasPrefix("127.")
        switch scheme {
        case "https": break
        case "http" where loopback: break
        case "http":
            throw PushRequestError(
                message: "--to \(text) uses plain http, which would send the admin token in clear; "
                    + "use https (plain http is allowed only to 127.0.0.1, ::1 or localhost)")
        default:
            throw PushRequestError(
                message: "--to \(text) is not an http(s) URL; write one such as https://mastodon.example")
        }
        let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        let port = url.port.map { ":\($0)" } ?? ""
        var path = url.path
        while path.hasSuffix("/") { path.removeLast() }
        return "\(scheme)://\(hostPart)\(port)\(path)"
    }

    // MARK: - Domain blocks

    /// Every domain block on the server, page after page as the `Link: <…>; rel="next"` headers lead.
    func domainBlocks() async throws(PushRequestError) -> [RemoteDomainBlock] {
        var blocks: [RemoteDomainBlock] = []
        var next: String? = "\(base)/api/v1/admin/domain_blocks?limit=200"
        var seen = Set<String>()
        while let url = next {
            guard seen.insert(url).inserted else {
                throw PushRequestError(
                    message: "GET \(url) came back as its own next page; the server's pagination loops, so the list "
                        + "cannot be read whole")
            }
            let response = try await send(.GET, url)
            let page: [Entity]
            do {
                page = try JSONDecoder().decode([Entity].self, from: Data(response.body))
            } catch {
                throw PushRequestError(
                    status: 200,
                    message: "GET \(url) did not return a list of domain blocks as Mastodon's admin API does (\(error))"
                )
            }
            blocks += page.map(\.remote)
            next = try nextPage(response.headers, after: url)
            if page.isEmpty { next = nil }
        }
        return blocks
    }

    func create(_ domain: String, _ settings: RemoteBlockSettings) async throws(PushRequestError) {
        var body = Self.fields(settings)
        body["domain"] = domain
        _ = try await send(.POST, "\(base)/api/v1/admin/domain_blocks", json: body)
    }

    func update(id: String, _ settings: RemoteBlockSettings) async throws(PushRequestError) {
        _ = try await send(.PUT, "\(base)/api/v1/admin/domain_blocks/\(Self.escaped(id))", json: Self.fields(settings))
    }

    func delete(id: String) async throws(PushRequestError) {
        _ = try await send(.DELETE, "\(base)/api/v1/admin/domain_blocks/\(Self.escaped(id))")
    }

    /// How many follows local accounts have to accounts on `domain`: Mastodon's `instance_follows` measure.
    func instanceFollows(_ domain: String) async throws(PushRequestError) -> Int {
        let url = "\(base)/api/v1/admin/measures"
        let now = Date()
        let day = Date.ISO8601FormatStyle().year().month().day()
        let response = try await send(
            .POST, url,
            json: [
                "keys": ["instance_follows"], "start_at": (now - 30 * 86_400).formatted(day),
                "end_at": now.formatted(day), "instance_follows": ["domain": domain],
            ])
        let measures = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [[String: Any]]
        guard let measure = measures?.first(where: { $0["key"] as? String == "instance_follows" }),
            let total = (measure["total"] as? String).flatMap(Int.init) ?? (measure["total"] as? Int)
        else {
            throw PushRequestError(
                status: 200,
                message: "POST \(url) did not answer the instance_follows measure with a total, so the follows of "
                    + "\(domain) are unknown")
        }
        return total
    }

    // MARK: - Requests

    struct Answer {
        var headers: HTTPHeaders
        var body: [UInt8]
    }

    /// Sends one request, waiting out 429 answers within the budget; a status other than 200 throws.
    private func send(
        _ method: HTTPMethod, _ url: String, json: [String: Any]? = nil
    ) async throws(PushRequestError) -> Answer {
        let what = "\(method.rawValue) \(url)"
        var attempt = 0
        while true {
            attempt += 1
            var request = HTTPClientRequest(url: url)
            request.method = method
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            request.headers.add(name: "Accept", value: "application/json")
            request.headers.add(name: "User-Agent", value: "herdwatch-blocklist-push")
            if let json, let data = try? JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]) {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(bytes: data))
            }
            let status: Int
            let headers: HTTPHeaders
            let body: [UInt8]
            do {
                let response = try await http.execute(request, timeout: timeout)
                status = Int(response.status.code)
                headers = response.headers
                body = Array(buffer: try await response.body.collect(upTo: 16 << 20))
            } catch {
                throw PushRequestError(message: "\(what) failed: \(error); check the URL and that the server is up")
            }
            if status == 200 { return Answer(headers: headers, body: body) }
            if status == 429 {
                let wait = Self.retryDelay(headers, attempt: attempt)
                guard attempt < budget.attemptsPerRequest else {
                    throw PushRequestError(
                        status: 429,
                        message: "\(what): still rate limited (429) after \(attempt) tries; push again later")
                }
                guard budget.spend(wait) else {
                    throw PushRequestError(
                        status: 429,
                        message: "\(what): rate limited (429), and waiting \(Self.seconds(wait)) more would pass "
                            + "the cap of \(Self.seconds(budget.totalWait)) for this push; push again later or raise "
                            + "--max-rate-limit-wait")
                }
                do {
                    try await Task.sleep(for: wait)
                } catch {
                    throw PushRequestError(message: "\(what): cancelled while waiting out a rate limit")
                }
                continue
            }
            throw PushRequestError(status: status, message: "\(what): \(Self.explain(status, body))")
        }
    }

    /// How long a 429 asks to wait: `Retry-After` (seconds or an HTTP date), else `X-RateLimit-Reset` (Mastodon's
    /// ISO 8601 time), else 1, 2, 4… seconds.
    static func retryDelay(_ headers: HTTPHeaders, attempt: Int, now: Date = Date()) -> Duration {
        if let text = headers.first(name: "Retry-After")?.trimmingCharacters(in: .whitespaces) {
            if let seconds = Double(text), seconds >= 0 { return .milliseconds(Int64(seconds * 1000)) }
            let format = DateFormatter()
            format.locale = Locale(identifier: "en_US_POSIX")
            format.timeZone = TimeZone(identifier: "GMT")
            format.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
            if let date = format.date(from: text) {
                return .milliseconds(Int64(max(0, date.timeIntervalSince(now)) * 1000))
            }
        }
        if let text = headers.first(name: "X-RateLimit-Reset") {
            let iso = ISO8601DateFormatter()
            iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            let plain = ISO8601DateFormatter()
            if let date = iso.date(from: text) ?? plain.date(from: text) {
                return .milliseconds(Int64(max(0, date.timeIntervalSince(now)) * 1000))
            }
        }
        return .seconds(1 << min(attempt - 1, 6))
    }

    /// `90 seconds`, rounded up.
    private static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return "\(seconds + (attoseconds > 0 ? 1 : 0)) seconds"
    }

    private static func explain(_ status: Int, _ body: [UInt8]) -> String {
        let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        let error = (object?["error"] as? String).map { String($0.prefix(300)) }
        switch status {
        case 401:
            return "the token was refused (401); give a valid token of an admin account"
        case 403:
            return "the token may not do this (403); it needs the admin:read and admin:write scopes "
                + "(or admin:read:domain_blocks and admin:write:domain_blocks, with admin:read for --max-follows)"
        case 404:
            return "not found (404)\(error.map { ": \($0)" } ?? ""); is this a Mastodon server's base URL?"
        case 422:
            return "refused (422): \(error ?? "no reason given")"
        default:
            return "answered HTTP \(status)\(error.map { ": \($0)" } ?? "")"
        }
    }

    /// The `rel="next"` URL of a `Link` header, which must stay on the destination (the token goes with it).
    private func nextPage(_ headers: HTTPHeaders, after url: String) throws(PushRequestError) -> String? {
        guard let target = LinkHeader.target(rel: "next", in: headers["Link"]) else { return nil }
        // Only the path and query are taken, onto our own scheme and port: a server behind a TLS proxy may write
        // http, and the token must go neither in clear nor to another host.
        guard let link = URLComponents(string: target), let ours = URLComponents(string: base),
            link.host?.lowercased() == ours.host?.lowercased(), link.path.hasPrefix(ours.path + "/")
        else {
            throw PushRequestError(
                message: "GET \(url) links its next page to \(target), outside \(base); refusing to send the token there")
        }
        var next = ours
        next.path = link.path
        next.percentEncodedQuery = link.percentEncodedQuery
        return next.string ?? target
    }

    private static func fields(_ settings: RemoteBlockSettings) -> [String: Any] {
        [
            "severity": settings.severity.rawValue, "reject_media": settings.rejectMedia,
            "reject_reports": settings.rejectReports, "private_comment": settings.privateComment,
            "public_comment": settings.publicComment, "obfuscate": settings.obfuscate,
        ]
    }

    private static func escaped(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? id
    }

    /// Mastodon's `Admin::DomainBlock` entity, as much as a push reads.
    private struct Entity: Decodable {
        var id: String
        var domain: String
        var severity: BlockSeverity
        var rejectMedia: Bool?
        var rejectReports: Bool?
        var privateComment: String?
        var publicComment: String?
        var obfuscate: Bool?

        enum CodingKeys: String, CodingKey {
            case id, domain, severity, obfuscate
            case rejectMedia = "reject_media"
            case rejectReports = "reject_reports"
            case privateComment = "private_comment"
            case publicComment = "public_comment"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            // Mastodon writes ids as strings; some compatible servers write numbers.
            if let text = try? container.decode(String.self, forKey: .id) {
                id = text
            } else {
                id = String(try container.decode(Int64.self, forKey: .id))
            }
            domain = try container.decode(String.self, forKey: .domain)
            severity = try container.decode(BlockSeverity.self, forKey: .severity)
            rejectMedia = try container.decodeIfPresent(Bool.self, forKey: .rejectMedia)
            rejectReports = try container.decodeIfPresent(Bool.self, forKey: .rejectReports)
            privateComment = try container.decodeIfPresent(String.self, forKey: .privateComment)
            publicComment = try container.decodeIfPresent(String.self, forKey: .publicComment)
            obfuscate = try container.decodeIfPresent(Bool.self, forKey: .obfuscate)
        }

        var remote: RemoteDomainBlock {
            RemoteDomainBlock(
                id: id, domain: domain,
                settings: RemoteBlockSettings(
                    severity: severity, rejectMedia: rejectMedia ?? false, rejectReports: rejectReports ?? false,
                    privateComment: privateComment ?? "", publicComment: publicComment ?? "",
                    obfuscate: obfuscate ?? false))
        }
    }
}
