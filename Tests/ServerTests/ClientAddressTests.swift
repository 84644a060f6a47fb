import HTTPTypes
import Hummingbird
import NIOCore
import Testing

@testable import HerdwatchServer

@Suite("Client address for sign-in throttling")
struct ClientAddressTests {
    let forwarding = ForwardedFor(trustedProxies: ["127.0.0.1", "10.0.0.5"])

    func request(forwardedFor: [String]) -> Request {
        var fields = HTTPFields()
        for value in forwardedFor { fields.append(HTTPField(name: .xForwardedFor, value: value)) }
        return Request(
            head: HTTPRequest(method: .post, scheme: "http", authority: "herdwatch.example", path: "/herdwatch/login", headerFields: fields),
            body: RequestBody(buffer: ByteBuffer()))
    }

    func peer(_ address: String) throws -> SocketAddress { try SocketAddress(ipAddress: address, port: 40_000) }

    @Test("a direct client is its own address whatever X-Forwarded-For it sends")
    func directClient() throws {
        #expect(forwarding.clientAddress(for: request(forwardedFor: ["192.0.2.9"]), peer: try peer("198.51.100.7")) == "198.51.100.7")
    }

    @Test("behind our proxies, the nearest address that is not one of them counts, not what the sender wrote on the left")
    func behindProxies() throws {
        let spoofed = request(forwardedFor: ["6.6.6.6, 198.51.100.7", "10.0.0.5"])
        #expect(forwarding.clientAddress(for: spoofed, peer: try peer("127.0.0.1")) == "198.51.100.7")
        #expect(forwarding.clientAddress(for: request(forwardedFor: []), peer: try peer("127.0.0.1")) == "127.0.0.1")
        // A hop that is not an address is not trusted either: the proxy itself is counted.
        #expect(forwarding.clientAddress(for: request(forwardedFor: ["not-an-ip"]), peer: try peer("127.0.0.1")) == "127.0.0.1")
    }

    @Test("IPv6 clients are counted by their /64, IPv4 clients by their address")
    func throttleKeys() {
        #expect(ForwardedFor.throttleKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd") == "2001:db8:1:2::/64")
        #expect(ForwardedFor.throttleKey("2001:db8:1:2::9") == "2001:db8:1:2::/64")
        #expect(ForwardedFor.throttleKey("198.51.100.7") == "198.51.100.7")
    }
}
