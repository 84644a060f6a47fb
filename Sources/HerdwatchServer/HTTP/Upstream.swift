public import AsyncHTTPClient
public import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

/// The instance behind the firewall: requests go to it unchanged (method, target, headers including `Host`,
/// `Date`, `Digest` and `Signature`, and body), so its own signature check still passes.
public struct Upstream: Sendable {
    public let baseURL: URL
    let client: HTTPClient
    let timeout: TimeAmount

    /// Connection-level headers that belong to one hop and are never forwarded.
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "content-length",
    ]

    public init(baseURL: URL, client: HTTPClient, timeout: TimeInterval) {
        self.baseURL = baseURL
        self.client = client
        self.timeout = .milliseconds(Int64(timeout * 1000))
    }

    func url(for target: String) -> String {
        var base = baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        return base + (target.hasPrefix("/") ? target : "/" + target)
    }

    /// Sends a buffered request (an inbox delivery, or a held one being replayed).
    func send(method: String, target: String, headers: [(name: String, value: String)], body: [UInt8]) async throws
        -> HTTPClientResponse
    {
        var request = HTTPClientRequest(url: url(for: target))
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in headers where !Self.hopByHop.contains(name.lowercased()) {
            request.headers.add(name: name, value: value)
        }
        if !body.isEmpty || method.uppercased() == "POST" || method.uppercased() == "PUT" {
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        return try await client.execute(request, timeout: timeout)
    }

    /// Relays the instance's answer, streaming its body.
    static func response(from upstream: HTTPClientResponse) -> Response {
        var fields = HTTPFields()
        for (name, value) in upstream.headers where !hopByHop.contains(name.lowercased()) {
            if let fieldName = HTTPField.Name(name) { fields.append(HTTPField(name: fieldName, value: value)) }
        }
        if let length = upstream.headers.first(name: "Content-Length"), let fieldName = HTTPField.Name("Content-Length") {
            fields.append(HTTPField(name: fieldName, value: length))
        }
        return Response(
            status: HTTPResponse.Status(code: Int(upstream.status.code), reasonPhrase: upstream.status.reasonPhrase),
            headers: fields, body: ResponseBody(asyncSequence: upstream.body))
    }
}
