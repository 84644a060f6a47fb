import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The headers a request is forwarded to the instance with: as it came, except the client-address headers.
/// From a trusted proxy (`proxy.trustedProxies`) the peer is appended to `X-Forwarded-For`; from anyone else
/// the sender's own `X-Forwarded-For`, `X-Real-IP`, `Client-IP` and `Forwarded` are replaced by the peer's
/// address, so a sender cannot choose the client address the instance logs, rate-limits and bans by.
struct ForwardedFor: Sendable {
    let trustedProxies: Set<String>

    private static let clientAddressHeaders: Set<String> = ["x-forwarded-for", "x-real-ip", "client-ip", "forwarded"]

    /// The request's headers for the instance. HTTP/1 `Host` arrives as the request's authority, not as a
    /// field; it goes back in front, where senders put it, because signatures cover it.
    func headers(for request: Request, peer: SocketAddress?) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(request.headers.count + 2)
        if let authority = request.head.authority {
            headers.append((name: "Host", value: authority))
        }
        let address = peer?.ipAddress
        let trusted = address.map(trustedProxies.contains) ?? false
        var forwardedFor: String?
        for field in request.headers {
            let name = field.name.canonicalName
            if Self.clientAddressHeaders.contains(name) {
                if trusted {
                    if name == "x-forwarded-for" {
                        forwardedFor = forwardedFor.map { $0 + ", " + field.value } ?? field.value
                    } else {
                        headers.append((name: field.name.rawName, value: field.value))
                    }
                }
                continue
            }
            headers.append((name: field.name.rawName, value: field.value))
        }
        if let address {
            headers.append((name: "X-Forwarded-For", value: forwardedFor.map { $0 + ", " + address } ?? address))
        } else if let forwardedFor {
            headers.append((name: "X-Forwarded-For", value: forwardedFor))
        }
        return headers
    }

    /// The client's address as far as it can be trusted: the peer, or, when the peer is a trusted proxy, the
    /// nearest address in its `X-Forwarded-For` that is not itself a trusted proxy (a sender can write anything
    /// at the left of that header; only what our proxies appended counts). For rate limits by address.
    func clientAddress(for request: Request, peer: SocketAddress?) -> String? {
        guard let address = peer?.ipAddress else { return nil }
        guard trustedProxies.contains(address) else { return address }
        let chain = request.headers[values: .xForwardedFor]
            .flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        for hop in chain.reversed() where !trustedProxies.contains(hop) {
            return IPAddress(hop) != nil ? hop : address
        }
        return address
    }

    /// The key a client is counted under by sign-in throttling: its IPv4 address, or the /64 of its IPv6 address
    /// (one customer line usually has a whole /64, so counting single IPv6 addresses counts nothing).
    static func throttleKey(_ address: String) -> String {
        guard let parsed = IPAddress(address), !parsed.isIPv4 else { return address }
        let prefix = Array(parsed.bytes.prefix(8)) + Array(repeating: 0, count: 8)
        return (IPAddress(bytes: prefix)?.description ?? address) + "/64"
    }
}

extension HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
}
