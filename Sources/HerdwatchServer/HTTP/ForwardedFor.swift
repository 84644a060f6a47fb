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
}
