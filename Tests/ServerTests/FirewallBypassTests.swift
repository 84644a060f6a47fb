import Intake
import ActivityPub
import AsyncHTTPClient
import Foundation
import HerdwatchTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import Testing

@testable import HerdwatchServer

/// Every path an ActivityPub server takes deliveries on is gated, and the firewall fails closed elsewhere.
@Suite("Inbox paths")
struct InboxPathsTests {
    let known = InboxPaths(InboxPaths.knownDeliveryPaths)

    @Test(arguments: [
        "/inbox", "/inbox/", "//inbox", "/inbox.json", "/inbox?x=1", "/%69nbox", "/users/alice/inbox",
        "/users/alice/inbox.json", "/users/alice/inbox.activity", "/actor/inbox", "/ap/users/1093/inbox", "/relay/inbox",
        "/internal/fetch/inbox", "/c/cats/inbox", "/u/bob/inbox", "/site_inbox", "/accounts/x/inbox",
        "/video-channels/y/inbox", "/f/inbox", "/i/actor/inbox", "/inbox/bob",
    ])
    func gatesEveryKnownDeliveryPath(path: String) {
        #expect(known.matches(path), "\(path)")
    }

    @Test(arguments: ["/users/alice/outbox", "/api/v1/statuses", "/users/alice", "/inboxes", "/users/a/b/inbox", "/xinbox.json"])
    func leavesOtherPathsAlone(path: String) {
        #expect(!known.matches(path), "\(path)")
    }

    @Test func sniffsActivitiesNotOtherJSON() {
        #expect(DeliverySniffer.isActivity(ByteBuffer(string: #" {"type":"Create","actor":"https://a.example/u/x"}"#)))
        #expect(DeliverySniffer.isActivity(ByteBuffer(bytes: [0xEF, 0xBB, 0xBF] + Array(#"{"type":["Follow"],"actor":{}}"#.utf8))))
        #expect(!DeliverySniffer.isActivity(ByteBuffer(string: #"{"status":"hello","visibility":"public"}"#)))
        #expect(!DeliverySniffer.isActivity(ByteBuffer(string: #"{"type":"Create"}"#)))
        #expect(!DeliverySniffer.isActivity(ByteBuffer(string: "status=hello&type=Create&actor=x")))
        #expect(!DeliverySniffer.isActivity(ByteBuffer(string: #"[{"type":"Create","actor":"x"}]"#)))
    }
}

@Suite("Inbox firewall: bypasses and hostile connections, end to end", .serialized)
struct FirewallBypassTests {
    let client = HTTPClient.shared

    func post(_ port: Int, _ path: String, body: String, headers: [(String, String)] = []) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/activity+json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await client.execute(request, timeout: .seconds(30))
        return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }

    func start(_ origin: String, extra: String = "") throws -> ChildServer {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("herdwatch-bypass-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let config = folder.appendingPathComponent("herdwatch.yaml")
        try """
            keys:
              allowPrivateAddresses: true
              fetchTimeoutSeconds: 30
            \(extra)
            """.write(to: config, atomically: true, encoding: .utf8)
        return try ChildServer.serve([
            "--db", folder.appendingPathComponent("herdwatch.sqlite").path, "--rules", try TestRules.directory(),
            "--upstream", origin, "--config", config.path,
        ])
    }

    @Test func unsignedSpamOnAnyDeliveryPathNeverReachesTheInstance() async throws {
        try await withFakeInstance { origin, instance in
            let received = instance.received
            let alice = try RemoteActor(id: "\(origin)/users/alice")
            instance.actors.documents.withLock { $0["/users/alice"] = alice.document }
            let server = try start(
                origin,
                extra: """
                    proxy:
                      passthroughPaths: ["/api/v1/exempt"]
                    """)
            defer { _ = server.stop() }
            // The routes a security review found ungated, and paths no server has yet: all refused unsigned.
            for path in ["/actor/inbox", "/ap/users/1/inbox", "/inbox.json", "/users/bob/inbox.json", "/c/cats/inbox", "/some/new/route"] {
                let id = "\(origin)/spam/\(UUID().uuidString)"
                let (status, body) = try await post(server.port, path, body: alice.note("buy now", id: id))
                #expect(status == 401, "\(path)")
                #expect(body.contains("signature_rejected"), "\(path)")
                #expect(received.deliveries(of: id).isEmpty, "\(path)")
            }
            // A signed delivery to an unknown path is gated too, and forwarded when it passes.
            let signedID = "\(origin)/a/\(UUID().uuidString)"
            let signed = try alice.signedPost(path: "/some/new/route", host: "social.example", body: alice.note("hello", id: signedID))
            let (signedStatus, _) = try await post(
                server.port, signed.path, body: String(decoding: signed.body, as: UTF8.self),
                headers: signed.headers.fields.filter { $0.name != "Content-Type" })
            #expect(signedStatus == 202)
            #expect(received.deliveries(of: signedID).count == 1)
            // Client API bodies, forms and an operator's exception pass through untouched.
            let (apiStatus, _) = try await post(server.port, "/api/v1/statuses", body: #"{"status":"hello","visibility":"public"}"#)
            #expect(apiStatus == 202)
            #expect(received.all.contains { $0.target == "/api/v1/statuses" })
            let exemptID = "\(origin)/exempt/\(UUID().uuidString)"
            let (exemptStatus, _) = try await post(server.port, "/api/v1/exempt", body: alice.note("exempt", id: exemptID))
            #expect(exemptStatus == 202)
            #expect(received.deliveries(of: exemptID).count == 1)
            #expect(server.stop() == 0)
        }
    }

    @Test func xForwardedForIsTheRealPeerUnlessItIsATrustedProxy() async throws {
        try await withFakeInstance { origin, instance in
            let received = instance.received
            // Loopback is not trusted here, as a sender on the internet would not be.
            let server = try start(
                origin,
                extra: """
                    proxy:
                      trustedProxies: ["192.0.2.1"]
                    """)
            defer { _ = server.stop() }
            _ = try await post(
                server.port, "/api/v1/statuses", body: #"{"status":"spoof"}"#,
                headers: [("X-Forwarded-For", "203.0.113.9"), ("X-Real-IP", "203.0.113.9")])
            let forwarded = try #require(received.all.last { $0.target == "/api/v1/statuses" })
            #expect(forwarded.header("X-Forwarded-For") == "127.0.0.1")
            #expect(forwarded.header("X-Real-IP") == nil)
            #expect(server.stop() == 0)
        }
        // Behind the operator's own proxy (loopback trusted by default) the chain is kept and the peer appended.
        try await withFakeInstance { origin, instance in
            let received = instance.received
            let server = try start(origin)
            defer { _ = server.stop() }
            _ = try await post(
                server.port, "/api/v1/statuses", body: #"{"status":"proxied"}"#, headers: [("X-Forwarded-For", "198.51.100.7")])
            let forwarded = try #require(received.all.last { $0.target == "/api/v1/statuses" })
            #expect(forwarded.header("X-Forwarded-For") == "198.51.100.7, 127.0.0.1")
            #expect(server.stop() == 0)
        }
    }

    /// Opens a raw TCP connection and writes `bytes` without finishing the request.
    func halfSend(_ port: Int, _ bytes: String) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(connected == 0)
        _ = bytes.withCString { send(fd, $0, strlen($0), 0) }
        return fd
    }

    /// Whether the server closed the connection within `seconds` (a read returns 0 or fails).
    func closedWithin(_ fd: Int32, seconds: Int) -> Bool {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 4096)
        let started = Date()
        while Date().timeIntervalSince(started) < Double(seconds) {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count == 0 { return true }
            if count < 0 { return errno != EAGAIN && errno != EWOULDBLOCK }
        }
        return false
    }

    @Test func halfSentRequestsAreCutOffAndShutdownDoesNotWaitForThem() async throws {
        try await withFakeInstance { origin, _ in
            let server = try start(
                origin,
                extra: """
                    http:
                      idleTimeoutSeconds: 2
                      bodyTimeoutSeconds: 2
                      shutdownTimeoutSeconds: 2
                    """)
            // A head that never ends, and a body that stops half way.
            let halfHead = try halfSend(server.port, "POST /inbox HTTP/1.1\r\nHost: social.example\r\n")
            let halfBody = try halfSend(
                server.port, "POST /inbox HTTP/1.1\r\nHost: social.example\r\nContent-Length: 1000\r\n\r\n{\"type\":")
            defer {
                close(halfHead)
                close(halfBody)
            }
            #expect(closedWithin(halfHead, seconds: 15))
            #expect(closedWithin(halfBody, seconds: 15))
            // The server still answers, and a new half-sent body does not hold its shutdown.
            let health = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/healthz"), timeout: .seconds(10))
            #expect(health.status.code == 200)
            let lingering = try halfSend(
                server.port, "POST /inbox HTTP/1.1\r\nHost: social.example\r\nContent-Length: 1000\r\n\r\n{")
            defer { close(lingering) }
            let stopping = Date()
            #expect(server.stop() == 0)
            #expect(Date().timeIntervalSince(stopping) < 15)
        }
    }
}
