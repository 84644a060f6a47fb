import Access
import ActivityPub
import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import ReviewQueue

/// The request context: Hummingbird's, plus the peer's address (for `X-Forwarded-For`), read only when a
/// request is forwarded.
struct HerdwatchRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    var remoteAddress: SocketAddress? { channel.remoteAddress }
}

/// Routes every request: Herdwatch's own endpoints, inbox deliveries through the gate, and everything else
/// passed through to the instance untouched.
///
/// Own endpoints: `POST /api/v1/check` (token scope `check`), `GET /herdwatch/api/v1/cases[/ID]` and
/// `POST /herdwatch/api/v1/cases/ID/approve|reject` (scope `moderate`), `GET /metrics`, `GET /healthz`.
///
/// With an upstream, the firewall fails closed: a POST on a known inbox path is gated; so is any other POST
/// that is signed, or whose body is an ActivityPub activity, unless its path is an operator's exception
/// (`proxy.passthroughPaths`).
struct HerdwatchResponder: HTTPResponder {
    typealias Context = HerdwatchRequestContext

    let gate: Gate
    let access: AccessControl
    let decisions: CaseDecisions
    let upstream: Upstream?
    let inboxPaths: InboxPaths
    let passthroughPaths: InboxPaths
    let forwarding: ForwardedFor
    /// How long a gated request's body may take to arrive in full.
    let bodyTimeout: Duration
    let maxBodyBytes: Int
    let maxPassthroughBytes: Int
    let rejectStatus: Int
    let replayWindow: TimeInterval
    let metrics: ServerMetrics
    let logger: Logger

    func respond(to request: Request, context: Context) async throws -> Response {
        let path = request.uri.path
        switch (request.method, path) {
        case (.post, "/api/v1/check"):
            return await check(request)
        case (.get, "/metrics"):
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.render())))
        case (.get, "/healthz"):
            return JSONResponse.make(["status": "ok"])
        case (_, "/api/v1/check"), (_, "/metrics"), (_, "/healthz"):
            return JSONResponse.error(.methodNotAllowed, code: "method_not_allowed", "\(request.method) is not allowed on \(path)")
        default:
            break
        }
        if path.hasPrefix("/herdwatch/") {
            return await cases(request, path: path)
        }
        if let upstream {
            let headers = forwarding.headers(for: request, peer: context.remoteAddress)
            guard request.method == .post, !passthroughPaths.matches(path) else {
                return await passThrough(request, headers: headers, upstream: upstream)
            }
            if inboxPaths.matches(path) || DeliverySniffer.isSigned(request.headers) {
                return await inbox(request, headers: headers, upstream: upstream)
            }
            return await sniff(request, headers: headers, upstream: upstream)
        }
        return JSONResponse.error(
            .notFound, code: "not_found",
            "nothing here; Herdwatch runs without an upstream (proxy.upstream), so only /api/v1/check, /herdwatch/api/v1/cases, /metrics and /healthz answer")
    }

    // MARK: - Authentication

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

    /// The request's token when it grants `scope`, else the response that says why not.
    private func authorize(_ request: Request, _ scope: AccessScope) -> Either<AccessToken, Response> {
        guard let header = request.headers[.authorization], let secret = Self.bearerToken(in: header) else {
            return .failure(JSONResponse.error(
                .unauthorized, code: "unauthorized",
                "send a token as `Authorization: Bearer TOKEN`; create one with `herdwatch token create --scope \(scope.rawValue)`"))
        }
        let token: AccessToken?
        do {
            token = try access.authenticate(secret: secret)
        } catch {
            logger.error("cannot read tokens", metadata: ["error": "\(error)"])
            return .failure(JSONResponse.error(.serviceUnavailable, code: "storage_unavailable", "cannot check the token now; retry later"))
        }
        guard let token else {
            return .failure(JSONResponse.error(.unauthorized, code: "unauthorized", "the token is unknown or revoked"))
        }
        guard token.grants(scope) else {
            return .failure(
                JSONResponse.error(
                    .forbidden, code: "forbidden",
                    "the token lacks the `\(scope.rawValue)` scope; create one with `herdwatch token create --scope \(scope.rawValue)`"))
        }
        return .success(token)
    }

    /// The body, up to `proxy.maxBodyBytes`; with a `deadline`, it must arrive in full within it.
    private func collectBody(_ request: Request, deadline: Duration? = nil) async -> Either<[UInt8], Response> {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodyBytes {
            metrics.refused(reason: "too_large")
            return .failure(JSONResponse.error(.contentTooLarge, code: "too_large", "the body is larger than \(maxBodyBytes) bytes (proxy.maxBodyBytes)"))
        }
        let limit = maxBodyBytes
        do {
            let buffer =
                if let deadline {
                    try await withDeadline(deadline) { try await request.body.collect(upTo: limit) }
                } else {
                    try await request.body.collect(upTo: limit)
                }
            return .success(Array(buffer: buffer))
        } catch is BodyTimeout {
            metrics.refused(reason: "body_timeout")
            return .failure(
                JSONResponse.error(
                    .requestTimeout, code: "body_timeout",
                    "the body did not arrive within \(bodyTimeout.components.seconds) s (http.bodyTimeoutSeconds)"))
        } catch {
            metrics.refused(reason: "too_large")
            return .failure(JSONResponse.error(.contentTooLarge, code: "too_large", "the body is larger than \(maxBodyBytes) bytes (proxy.maxBodyBytes)"))
        }
    }

    // MARK: - Hook

    private func check(_ request: Request) async -> Response {
        if case .failure(let denied) = authorize(request, .check) { return denied }
        let body: [UInt8]
        switch await collectBody(request) {
        case .success(let bytes): body = bytes
        case .failure(let response): return response
        }
        let envelope: CheckEnvelope
        do {
            envelope = try CheckEnvelope.parse(body)
        } catch {
            metrics.refused(reason: "bad_activity")
            return JSONResponse.error(.badRequest, code: error.code.rawValue, error.message)
        }
        let outcome = await gate.check(envelope)
        return respond(outcome, id: envelope.id ?? envelope.activity.id)
    }

    private func respond(_ outcome: Gate.Outcome, id: String?) -> Response {
        switch outcome.disposition {
        case .refuse(let status, let error):
            return JSONResponse.error(HTTPResponse.Status(code: status), code: error.code.rawValue, error.message)
        case .forward, .withhold:
            guard let verdict = outcome.verdict else {
                return JSONResponse.error(.internalServerError, code: "no_verdict", "the activity was not evaluated")
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: CheckResponse(id: id, outcome: outcome, verdict: verdict).json())))
        }
    }

    // MARK: - Inbox firewall

    private func inbox(_ request: Request, headers: [(name: String, value: String)], upstream: Upstream) async -> Response {
        let body: [UInt8]
        switch await collectBody(request, deadline: bodyTimeout) {
        case .success(let bytes): body = bytes
        case .failure(let response): return response
        }
        return await inbox(request, headers: headers, body: body, upstream: upstream)
    }

    private func inbox(
        _ request: Request, headers: [(name: String, value: String)], body: [UInt8], upstream: Upstream
    ) async -> Response {
        let delivery = Gate.Delivery(method: request.method.rawValue, target: request.head.path ?? request.uri.path, headers: headers, body: body)
        let outcome = await gate.inbox(delivery)
        switch outcome.disposition {
        case .refuse(let status, let error):
            return JSONResponse.error(HTTPResponse.Status(code: status), code: error.code.rawValue, error.message)
        case .withhold:
            return Response(status: HTTPResponse.Status(code: rejectStatus))
        case .forward:
            do {
                let response = try await upstream.send(method: delivery.method, target: delivery.target, headers: headers, body: body)
                metrics.upstream("ok")
                return Upstream.response(from: response)
            } catch {
                metrics.upstream("error")
                logger.error("upstream unreachable", metadata: ["error": "\(error)"])
                return JSONResponse.error(.badGateway, code: "upstream_unreachable", "the instance behind Herdwatch did not answer; retry later")
            }
        }
    }

    /// An unsigned POST outside the inbox paths: a body small enough to be an activity is read; if it is one it
    /// is gated like any delivery (and so refused unsigned in enforce mode), else it is forwarded as it came.
    /// Larger bodies (media uploads) stream through unread.
    private func sniff(_ request: Request, headers: [(name: String, value: String)], upstream: Upstream) async -> Response {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodyBytes {
            return await passThrough(request, headers: headers, upstream: upstream)
        }
        let limit = maxBodyBytes
        let prefix: DeliverySniffer.Prefix
        do {
            prefix = try await withDeadline(bodyTimeout) { try await DeliverySniffer.read(request.body, upTo: limit) }
        } catch {
            metrics.refused(reason: "body_timeout")
            return JSONResponse.error(
                .requestTimeout, code: "body_timeout",
                "the body did not arrive within \(bodyTimeout.components.seconds) s (http.bodyTimeoutSeconds)")
        }
        if prefix.complete, DeliverySniffer.isActivity(prefix.bytes) {
            return await inbox(request, headers: headers, body: Array(buffer: prefix.bytes), upstream: upstream)
        }
        return await passThrough(request, headers: headers, upstream: upstream, prefix: prefix)
    }

    /// Any other request, streamed both ways; `prefix` is what was already read of its body.
    private func passThrough(
        _ request: Request, headers: [(name: String, value: String)], upstream: Upstream,
        prefix: DeliverySniffer.Prefix? = nil
    ) async -> Response {
        let length = request.headers[.contentLength].flatMap(Int.init)
        if let length, length > maxPassthroughBytes {
            return JSONResponse.error(.contentTooLarge, code: "too_large", "the body is larger than \(maxPassthroughBytes) bytes")
        }
        var outgoing = HTTPClientRequest(url: upstream.url(for: request.head.path ?? request.uri.path))
        outgoing.method = .init(rawValue: request.method.rawValue)
        for (name, value) in headers where !Upstream.hopByHop.contains(name.lowercased()) {
            outgoing.headers.add(name: name, value: value)
        }
        let declaredLength = length.map { HTTPClientRequest.Body.Length.known(Int64($0)) } ?? .unknown
        if let prefix {
            outgoing.body = .stream(LimitedBody(base: prefix.body, limit: maxPassthroughBytes), length: declaredLength)
        } else if length.map({ $0 > 0 }) ?? (request.headers[.transferEncoding] != nil) {
            outgoing.body = .stream(LimitedBody(base: request.body, limit: maxPassthroughBytes), length: declaredLength)
        }
        do {
            let response = try await upstream.client.execute(outgoing, timeout: upstream.timeout)
            return Upstream.response(from: response)
        } catch {
            metrics.upstream("error")
            return JSONResponse.error(.badGateway, code: "upstream_unreachable", "the instance behind Herdwatch did not answer; retry later")
        }
    }

    // MARK: - Cases

    private func cases(_ request: Request, path: String) async -> Response {
        let segments = path.split(separator: "/").map(String.init)
        guard segments.count >= 4, segments[0] == "herdwatch", segments[1] == "api", segments[2] == "v1", segments[3] == "cases"
        else {
            return JSONResponse.error(.notFound, code: "not_found", "no such Herdwatch endpoint")
        }
        let token: AccessToken
        switch authorize(request, .moderate) {
        case .success(let granted): token = granted
        case .failure(let denied): return denied
        }
        let decider = "token \(token.id) (\(token.name))"
        switch (request.method, segments.count) {
        case (.get, 4):
            let state = request.uri.queryParameters["state"].map(String.init)
            let limit = request.uri.queryParameters["limit"].flatMap { Int(String($0)) } ?? 100
            var wanted: ReviewCase.State?
            if let state, state != "all" {
                guard let parsed = ReviewCase.State(rawValue: state) else {
                    return JSONResponse.error(.badRequest, code: "bad_state", "state must be open, approved, rejected or all")
                }
                wanted = parsed
            }
            do {
                let list = try gate.cases.cases(state: wanted ?? (state == "all" ? nil : .open), limit: min(max(limit, 1), 1000))
                let counts = try gate.cases.caseCounts()
                return JSONResponse.make(
                    CaseList(
                        cases: list.map { CaseResponse($0, replayWindow: replayWindow, detailed: false) },
                        counts: Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) })))
            } catch {
                return JSONResponse.error(.serviceUnavailable, code: "storage_unavailable", "cannot read cases now; retry later")
            }
        case (.get, 5):
            guard let id = Int64(segments[4]) else { return notFound(segments[4]) }
            do {
                guard let reviewCase = try gate.cases.reviewCase(id: id) else { return notFound(segments[4]) }
                return JSONResponse.make(CaseResponse(reviewCase, replayWindow: replayWindow, detailed: true))
            } catch {
                return JSONResponse.error(.serviceUnavailable, code: "storage_unavailable", "cannot read cases now; retry later")
            }
        case (.post, 6):
            guard let id = Int64(segments[4]) else { return notFound(segments[4]) }
            do {
                let decided: ReviewCase
                switch segments[5] {
                case "approve": decided = try await decisions.approve(id: id, by: decider)
                case "reject": decided = try decisions.reject(id: id, by: decider)
                default: return JSONResponse.error(.notFound, code: "not_found", "a case can be approved or rejected")
                }
                return JSONResponse.make(CaseResponse(decided, replayWindow: replayWindow, detailed: false))
            } catch {
                let status: HTTPResponse.Status =
                    switch error.code {
                    case .notFound: .notFound
                    case .notOpen, .inProgress, .replayExpired, .noUpstream: .conflict
                    case .upstreamRefused, .upstreamUnreachable: .badGateway
                    case .storage: .serviceUnavailable
                    }
                return JSONResponse.error(status, code: error.code.rawValue, error.message)
            }
        default:
            return JSONResponse.error(.methodNotAllowed, code: "method_not_allowed", "\(request.method) is not allowed on \(path)")
        }
    }

    private func notFound(_ id: String) -> Response {
        JSONResponse.error(.notFound, code: "not_found", "there is no case \(id)")
    }
}

/// A request body that fails once more than `limit` bytes have passed.
struct LimitedBody<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == ByteBuffer {
    typealias Element = ByteBuffer
    let base: Base
    let limit: Int

    struct TooLarge: Error {}

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let limit: Int
        var seen = 0

        mutating func next() async throws -> ByteBuffer? {
            guard let buffer = try await base.next() else { return nil }
            seen += buffer.readableBytes
            if seen > limit { throw TooLarge() }
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), limit: limit)
    }
}

/// A value, or the response to send instead.
enum Either<Value, Alternative> {
    case success(Value)
    case failure(Alternative)
}
