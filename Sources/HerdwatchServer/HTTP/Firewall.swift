import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1

/// Reads request bodies within `proxy.maxBodyBytes` and, for deliveries, `http.bodyTimeoutSeconds`.
struct BodyReader: Sendable {
    /// How long a gated request's body may take to arrive in full.
    let bodyTimeout: Duration
    let maxBodyBytes: Int
    let metrics: ServerMetrics

    /// The body, up to `proxy.maxBodyBytes`; with a `deadline`, it must arrive in full within it.
    func collect(_ request: Request, deadline: Duration? = nil) async -> Either<[UInt8], Response> {
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

}

/// The inbox firewall, as the router's fallback: every request no Herdwatch route answers goes to the instance
/// behind it. It fails closed: a POST on a known inbox path is gated; so is any other POST that is signed, or
/// whose body is an ActivityPub activity, unless its path is an operator's exception (`proxy.passthroughPaths`).
/// Everything else streams through untouched. Without an upstream, such requests get 404.
struct FirewallMiddleware: RouterMiddleware {
    typealias Context = HerdwatchRequestContext

    let gate: Gate
    let upstream: Upstream?
    let inboxPaths: InboxPaths
    let passthroughPaths: InboxPaths
    let forwarding: ForwardedFor
    let bodies: BodyReader
    let maxPassthroughBytes: Int
    let rejectStatus: Int
    let metrics: ServerMetrics
    let logger: Logger

    var bodyTimeout: Duration { bodies.bodyTimeout }
    var maxBodyBytes: Int { bodies.maxBodyBytes }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if OwnPaths.isOwn(path) {
            do {
                return try await next(request, context)
            } catch let error as HTTPError where error.status == .notFound {
                return OwnPaths.unmatched(request)
            }
        }
        guard let upstream else {
            return JSONResponse.error(
                .notFound, code: "not_found",
                "nothing here; Herdwatch runs without an upstream (proxy.upstream), so only /api/v1/check, /herdwatch/api/v1/…, /metrics and /healthz answer")
        }
        let headers = forwarding.headers(for: request, peer: context.remoteAddress)
        guard request.method == .post, !passthroughPaths.matches(path) else {
            return await passThrough(request, headers: headers, upstream: upstream)
        }
        if inboxPaths.matches(path) || DeliverySniffer.isSigned(request.headers) {
            return await inbox(request, headers: headers, upstream: upstream)
        }
        return await sniff(request, headers: headers, upstream: upstream)
    }

    // MARK: - Inbox firewall

    private func inbox(_ request: Request, headers: [(name: String, value: String)], upstream: Upstream) async -> Response {
        let body: [UInt8]
        switch await bodies.collect(request, deadline: bodyTimeout) {
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

}

/// The paths Herdwatch answers itself; they are never forwarded to the instance.
enum OwnPaths {
    static let exact: Set<String> = [
        "/api/v1/check", "/metrics", "/healthz", "/.well-known/herdwatch-blocklist-keys",
    ]

    static func isOwn(_ path: String) -> Bool {
        exact.contains(path) || path == "/herdwatch" || path.hasPrefix("/herdwatch/") || path.hasPrefix(domainBlocks)
            || path == "/api/v1/admin/measures" || path == "/api/v1/instance/domain_blocks"
    }

    /// Mastodon's domain-block admin API, which Herdwatch answers in place of the instance (`AdminDomainBlockRoutes`).
    static let domainBlocks = "/api/v1/admin/domain_blocks"

    /// The answer for an own path no route took: 405 when the path exists with another method, else 404.
    static func unmatched(_ request: Request) -> Response {
        let path = request.uri.path
        if exact.contains(path) {
            return JSONResponse.error(.methodNotAllowed, code: "method_not_allowed", "\(request.method) is not allowed on \(path)")
        }
        return JSONResponse.error(.notFound, code: "not_found", "no such Herdwatch endpoint: \(path)")
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
