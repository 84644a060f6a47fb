import Intake
import ActivityPub
import AsyncHTTPClient
import Foundation
import HTTPTypes
import HerdwatchTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

/// What the fake instance received.
final class Received: Sendable {
    struct Request: Sendable {
        var method: String
        var target: String
        var headers: [(name: String, value: String)]
        var body: [UInt8]

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    private let requests = Mutex<[Request]>([])
    /// How long the instance takes to answer a POST (to hold a replay in flight).
    let postDelay = Mutex<Duration>(.zero)

    func append(_ request: Request) { requests.withLock { $0.append(request) } }
    var all: [Request] { requests.withLock { $0 } }
    func deliveries(of activityID: String) -> [Request] {
        all.filter { String(decoding: $0.body, as: UTF8.self).contains(activityID) }
    }
}

/// A small fediverse on loopback: serves actor documents with their keys, and is the instance's inbox.
struct FakeInstance: HTTPResponder {
    typealias Context = BasicRequestContext
    let received: Received
    let actors: ActorDocuments

    func respond(to request: Request, context: Context) async throws -> Response {
        let path = request.uri.path
        if request.method == .get, let document = actors.documents.withLock({ $0[path] }) {
            return Response(
                status: .ok, headers: [.contentType: "application/activity+json"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: document)))
        }
        if request.method == .get, path == "/about" {
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "the instance's about page")))
        }
        if request.method == .post {
            let body = try await request.body.collect(upTo: 1 << 20)
            let delay = received.postDelay.withLock { $0 }
            if delay > .zero { try await Task.sleep(for: delay) }
            received.append(
                Received.Request(
                    method: request.method.rawValue, target: request.head.path ?? path,
                    // HTTP/1 `Host` arrives as the authority, not as a field.
                    headers: [("Host", request.head.authority ?? "")] + request.headers.map { ($0.name.rawName, $0.value) },
                    body: Array(buffer: body)))
            return Response(status: .accepted, body: ResponseBody(byteBuffer: ByteBuffer(string: "delivered")))
        }
        return Response(status: .notFound)
    }
}

/// Runs `body` with a fake instance live on 127.0.0.1; `origin` is its base URL.
func withFakeInstance(_ body: @Sendable (_ origin: String, _ instance: FakeInstance) async throws -> Void) async throws {
    let instance = FakeInstance(received: Received(), actors: ActorDocuments())
    let app = Application(responder: instance, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    try await app.test(.live) { client in
        try await body("http://127.0.0.1:\(try #require(client.port))", instance)
    }
}

/// Actor documents the fake instance serves, by path.
final class ActorDocuments: Sendable {
    let documents = Mutex<[String: String]>([:])
}

@Suite("Inbox firewall, end to end", .serialized)
struct FirewallEndToEndTests {
    let client = HTTPClient.shared

    struct Reply {
        var status: Int
        var body: String
    }

    func send(_ request: SignedRequest, to port: Int, body overridden: [UInt8]? = nil) async throws -> Reply {
        var outgoing = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(request.path)")
        outgoing.method = HTTPMethod(rawValue: request.method)
        for field in request.headers.fields { outgoing.headers.add(name: field.name, value: field.value) }
        outgoing.body = .bytes(ByteBuffer(bytes: overridden ?? request.body))
        let response = try await client.execute(outgoing, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        return Reply(status: Int(response.status.code), body: String(buffer: body))
    }

    func api(_ method: HTTPMethod, _ path: String, port: Int, token: String) async throws -> (Int, [String: Any]) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), try json(String(buffer: body)))
    }

    @Test func gatesSignedDeliveriesInFrontOfAnInstance() async throws {
        let received = Received()
        let instance = FakeInstance(received: received, actors: ActorDocuments())
        let app = Application(responder: instance, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { instanceClient in
            let instancePort = try #require(instanceClient.port)
            let origin = "http://127.0.0.1:\(instancePort)"
            let alice = try RemoteActor(id: "\(origin)/users/alice")
            let mallory = try RemoteActor(id: "\(origin)/users/mallory")
            instance.actors.documents.withLock {
                $0["/users/alice"] = alice.document
                $0["/users/mallory"] = mallory.document
            }
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("herdwatch-e2e-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let config = folder.appendingPathComponent("herdwatch.yaml")
            try """
                proxy:
                  maxBodyBytes: 8192
                keys:
                  allowPrivateAddresses: true
                  fetchTimeoutSeconds: 30
                """.write(to: config, atomically: true, encoding: .utf8)
            // A generous key fetch timeout: with every suite running at once on two cores, this test has taken
            // over 80 s, and a 5 s fetch of mallory's key turned the spoofed delivery into "key unreachable".
            let server = try ChildServer.serve([
                "--db", folder.appendingPathComponent("herdwatch.sqlite").path, "--rules", try TestRules.directory(),
                "--upstream", origin, "--config", config.path,
            ])
            defer { _ = server.stop() }
            #expect(server.adminToken.hasPrefix("hw_"))
            let host = "social.example"
            func note(_ text: String, by actor: RemoteActor, id: String = UUID().uuidString, as author: RemoteActor? = nil) -> (String, String) {
                let activityID = "\(origin)/activities/\(id)"
                return (activityID, (author ?? actor).note(text, id: activityID))
            }

            // Accepted: forwarded byte for byte, so the instance's own signature check would pass.
            let (acceptedID, acceptedBody) = note("hello neighbours", by: alice)
            let accepted = try alice.signedPost(path: "/users/bob/inbox", host: host, body: acceptedBody)
            let acceptedReply = try await send(accepted, to: server.port)
            #expect(acceptedReply.status == 202)
            #expect(acceptedReply.body == "delivered")
            let forwarded = try #require(received.deliveries(of: acceptedID).first)
            #expect(forwarded.body == accepted.body)
            #expect(forwarded.target == "/users/bob/inbox")
            for name in ["Host", "Date", "Digest", "Signature", "Content-Type"] {
                #expect(forwarded.header(name) == accepted.headers.combined(name), "header \(name)")
            }
            var replayed = SignedRequest(method: "POST", path: forwarded.target, body: forwarded.body)
            for (name, value) in forwarded.headers { replayed.headers.add(name, value) }
            #expect(throws: Never.self) { try SignatureVerifier.verify(replayed, publicKeyPEM: alice.publicKeyPEM) }

            // RFC 9421 signatures are verified too, and forwarded with their headers.
            let (modernID, modernBody) = note("hello again", by: alice)
            let modern = try alice.signedPostRFC9421(path: "/users/bob/inbox", host: host, body: modernBody)
            #expect(try await send(modern, to: server.port).status == 202)
            let modernForwarded = try #require(received.deliveries(of: modernID).first)
            for name in ["Signature-Input", "Signature", "Content-Digest"] {
                #expect(modernForwarded.header(name) == modern.headers.combined(name), "header \(name)")
            }

            // Flagged: forwarded, and a case is opened.
            let (flaggedID, flaggedBody) = note("FLAGME", by: alice)
            #expect(try await send(try alice.signedPost(path: "/inbox", host: host, body: flaggedBody), to: server.port).status == 202)
            #expect(received.deliveries(of: flaggedID).count == 1)

            // Held: answered 202, kept back, stored; a second delivery joins the same case.
            let (heldID, heldBody) = note("HOLDME", by: alice)
            let held = try alice.signedPost(path: "/users/bob/inbox", host: host, body: heldBody)
            #expect(try await send(held, to: server.port).status == 202)
            #expect(try await send(held, to: server.port).status == 202)
            #expect(received.deliveries(of: heldID).isEmpty)

            // Rejected: answered 202 so the sender does not retry, never delivered.
            let (rejectedID, rejectedBody) = note("REJECTME", by: alice)
            #expect(try await send(try alice.signedPost(path: "/inbox", host: host, body: rejectedBody), to: server.port).status == 202)
            #expect(received.deliveries(of: rejectedID).isEmpty)

            // Signature failures: 401 with the reason, never delivered.
            let (tamperedID, tamperedBody) = note("hello", by: alice)
            let tampered = try alice.signedPost(path: "/inbox", host: host, body: tamperedBody)
            let tamperedReply = try await send(tampered, to: server.port, body: Array(tamperedBody.replacingOccurrences(of: "hello", with: "HELLO").utf8))
            #expect(tamperedReply.status == 401)
            #expect(tamperedReply.body.contains("digest"))
            var wrongDigest = try alice.signedPost(path: "/inbox", host: host, body: tamperedBody)
            wrongDigest.headers.set("Digest", "SHA-256=" + Data(repeating: 7, count: 32).base64EncodedString())
            #expect(try await send(wrongDigest, to: server.port).status == 401)
            let expired = try alice.signedPost(path: "/inbox", host: host, body: tamperedBody, date: Date().addingTimeInterval(-3 * 3600))
            let expiredReply = try await send(expired, to: server.port)
            #expect(expiredReply.status == 401)
            #expect(expiredReply.body.contains("dateOutsideWindow"))
            let stranger = try RemoteActor(id: "\(origin)/users/nobody")
            let (_, strangerBody) = note("hello", by: stranger)
            let unknownKey = try await send(try stranger.signedPost(path: "/inbox", host: host, body: strangerBody), to: server.port)
            #expect(unknownKey.status == 401)
            #expect(unknownKey.body.contains("unreachable"))
            #expect(received.deliveries(of: tamperedID).isEmpty)

            // Signed by someone other than the activity's actor: refused, never forwarded, no case.
            let (spoofedID, spoofedBody) = note("totally me", by: mallory, as: alice)
            let spoofed = try await send(try mallory.signedPost(path: "/inbox", host: host, body: spoofedBody), to: server.port)
            #expect(spoofed.status == 401)
            #expect(spoofed.body.contains("foreign_signer"))
            #expect(received.deliveries(of: spoofedID).isEmpty)

            // Oversized and malformed bodies.
            let huge = try alice.signedPost(path: "/inbox", host: host, body: note(String(repeating: "x", count: 9000), by: alice).1)
            #expect(try await send(huge, to: server.port).status == 413)
            let malformed = try await send(try alice.signedPost(path: "/inbox", host: host, body: "{\"type\": "), to: server.port)
            #expect(malformed.status == 400)
            #expect(malformed.body.contains("bad_activity"))

            // Everything else passes through untouched.
            let page = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/about"), timeout: .seconds(10))
            #expect(String(buffer: try await page.body.collect(upTo: 1 << 16)) == "the instance's about page")

            // The queue: held and flagged cases; the held one is replayed on approval.
            let (status, list) = try await api(.GET, "/herdwatch/api/v1/cases", port: server.port, token: server.adminToken)
            #expect(status == 200)
            let cases = try #require(list["cases"] as? [[String: Any]])
            #expect(cases.count == 2)
            let heldCase = try #require(cases.first { $0["activity_id"] as? String == heldID })
            #expect(heldCase["duplicate_deliveries"] as? Int == 1)
            #expect((heldCase["replay_seconds_left"] as? Int ?? 0) > 3000)
            #expect(!cases.contains { $0["activity_id"] as? String == spoofedID })
            #expect(heldCase["signer"] as? String == alice.id)
            let heldCaseID = try #require(heldCase["id"] as? Int)
            let (approveStatus, approved) = try await api(.POST, "/herdwatch/api/v1/cases/\(heldCaseID)/approve", port: server.port, token: server.adminToken)
            #expect(approveStatus == 200)
            #expect((approved["delivery"] as? [String: Any])?["status"] as? Int == 202)
            let replay = try #require(received.deliveries(of: heldID).first)
            #expect(replay.body == held.body)
            for name in ["Host", "Date", "Digest", "Signature"] {
                #expect(replay.header(name) == held.headers.combined(name), "replayed header \(name)")
            }

            // Two moderators approving the same held case at once: one replay, one answer that says why not.
            let (racedID, racedBody) = note("HOLDME raced", by: alice)
            #expect(try await send(try alice.signedPost(path: "/inbox", host: host, body: racedBody), to: server.port).status == 202)
            let (_, afterRaced) = try await api(.GET, "/herdwatch/api/v1/cases", port: server.port, token: server.adminToken)
            let racedCase = try #require((afterRaced["cases"] as? [[String: Any]])?.first { $0["activity_id"] as? String == racedID })
            let racedCaseID = try #require(racedCase["id"] as? Int)
            received.postDelay.withLock { $0 = .milliseconds(800) }
            async let first = api(.POST, "/herdwatch/api/v1/cases/\(racedCaseID)/approve", port: server.port, token: server.adminToken)
            async let second = api(.POST, "/herdwatch/api/v1/cases/\(racedCaseID)/approve", port: server.port, token: server.adminToken)
            let outcomes = try await [first, second]
            received.postDelay.withLock { $0 = .zero }
            #expect(outcomes.map(\.0).sorted() == [200, 409])
            let loser = try #require(outcomes.first { $0.0 == 409 })
            #expect(["decision_in_progress", "not_open"].contains(loser.1["code"] as? String ?? ""))
            #expect(received.deliveries(of: racedID).count == 1)

            // A held delivery whose signature has aged past the instance's window is not replayed.
            let (lateID, lateBody) = note("HOLDME late", by: alice)
            let late = try alice.signedPost(path: "/inbox", host: host, body: lateBody, date: Date().addingTimeInterval(-64 * 60))
            #expect(try await send(late, to: server.port).status == 202)
            let (_, afterLate) = try await api(.GET, "/herdwatch/api/v1/cases", port: server.port, token: server.adminToken)
            let lateCase = try #require((afterLate["cases"] as? [[String: Any]])?.first { $0["activity_id"] as? String == lateID })
            let lateCaseID = try #require(lateCase["id"] as? Int)
            let (refusedStatus, refused) = try await api(.POST, "/herdwatch/api/v1/cases/\(lateCaseID)/approve", port: server.port, token: server.adminToken)
            #expect(refusedStatus == 409)
            #expect(refused["code"] as? String == "replay_expired")
            #expect(received.deliveries(of: lateID).isEmpty)

            // Metrics, then a clean stop on SIGTERM.
            let metrics = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/metrics"), timeout: .seconds(10))
            let metricsText = String(buffer: try await metrics.body.collect(upTo: 1 << 20))
            #expect(metricsText.contains(#"herdwatch_signatures_total{status="failed"}"#))
            #expect(server.stop() == 0)
        }
    }
}
