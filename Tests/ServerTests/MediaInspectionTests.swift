import ActivityPub
import AsyncHTTPClient
import Foundation
import HerdwatchServer
import HerdwatchTestSupport
import Hummingbird
import HummingbirdTesting
import Intake
import Logging
import NIOCore
import ReviewQueue
import RuleEngine
import Synchronization
import Testing

/// Serves the QR fixtures from 127.0.0.1, counting requests; `/slow.png` answers after `delay`.
final class ImageServer: HTTPResponder, Sendable {
    typealias Context = BasicRequestContext
    let requests = Mutex<[String: Int]>([:])
    let delay: Duration

    init(delay: Duration = .seconds(5)) {
        self.delay = delay
    }

    func respond(to request: Request, context: Context) async throws -> Response {
        let path = request.uri.path
        requests.withLock { $0[path, default: 0] += 1 }
        if path == "/slow.png" { try await Task.sleep(for: delay) }
        let name = path == "/slow.png" ? "qr-shortener.png" : String(path.dropFirst())
        guard let bytes = try? Data(contentsOf: CLI.root.appendingPathComponent("Fixtures/media/\(name)")) else {
            return Response(status: .notFound)
        }
        return Response(
            status: .ok, headers: [.contentType: "image/png"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

@Suite("Media inspection (media.inspect)", .serialized)
struct MediaInspectionTests {
    static let rules = """
        rules:
          - id: test.shortener-link
            description: Held for a link to the shortener, wherever it is written
            types: [Create]
            when: {domains: [shrt.example]}
            action: hold
          - id: test.invite-link
            description: Rejected for a link to the invite host
            types: [Create]
            when: {domains: [invite.example]}
            action: reject
          - id: test.link-from-media
            description: Flagged when a link came from an image
            types: [Create]
            when: {field: links.from_media, gte: 1}
            score: 1
        """

    private func gate(inspect: Bool, timeout: TimeInterval = 3) throws -> Gate {
        let media = MediaInspector(
            client: HTTPClient.shared,
            settings: MediaInspectionSettings(enabled: true, timeout: timeout, allowPrivateAddresses: true),
            work: InlineWork())
        return Gate(
            engines: RuleEngineHolder(try TestRules.engine(Self.rules)), reputation: nil, cases: InMemoryCaseStore(),
            keys: nil, signatureMode: .enforce, metrics: ServerMetrics(), logger: Logger(label: "test"),
            media: inspect ? media : nil)
    }

    private func envelope(images: [String], signature: String = "verified") -> Envelope {
        let attachments = images.map { #"{"type":"Document","mediaType":"image/png","url":"\#($0)"}"# }.joined(
            separator: ",")
        let json = """
            {"id":"line-1","signature":"\(signature)","activity":{"id":"https://open.example/users/q/statuses/1/activity",
             "type":"Create","actor":"https://open.example/users/q",
             "object":{"id":"https://open.example/users/q/statuses/1","type":"Note","content":"",
              "tag":[{"type":"Mention","href":"https://here.example/users/a"}],"attachment":[\(attachments)]}}}
            """
        return try! Envelope.parse(Array(json.utf8))
    }

    private func rules(_ outcome: Gate.Outcome) -> [String] { outcome.verdict?.hits.map(\.rule) ?? [] }

    @Test func linksInQRCodesReachTheLinkAndDomainRules() async throws {
        let server = ImageServer()
        let app = Application(responder: server, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let base = "http://127.0.0.1:\(try #require(client.port))"
            // A deadline no loaded test machine misses: this test is about what is read, not how fast.
            let gate = try gate(inspect: true, timeout: 120)
            let held = await gate.check(envelope(images: ["\(base)/qr-shortener.png"]))
            #expect(held.verdict?.action == .hold)
            #expect(Set(rules(held)) == ["test.shortener-link", "test.link-from-media"])
            // A code written without a scheme is read as https.
            let rejected = await gate.check(envelope(images: ["\(base)/qr-bare-host.png", "\(base)/missing.png"]))
            #expect(rejected.verdict?.action == .reject)
            // The same image again is not fetched again.
            _ = await gate.check(envelope(images: ["\(base)/qr-shortener.png"]))
            #expect(server.requests.withLock { $0["/qr-shortener.png"] } == 1)
        }
    }

    @Test func unverifiedDeliveriesAndAServerWithInspectionOffFetchNothing() async throws {
        let server = ImageServer()
        let app = Application(responder: server, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let image = "http://127.0.0.1:\(try #require(client.port))/qr-shortener.png"
            let unsigned = try await gate(inspect: true).check(envelope(images: [image], signature: "unsigned"))
            #expect(unsigned.verdict?.action == .accept)
            let off = try await gate(inspect: false).check(envelope(images: [image]))
            #expect(off.verdict?.action == .accept)
            #expect(server.requests.withLock { $0.isEmpty })
        }
    }

    @Test func aSlowImageDelaysTheVerdictOnlyUntilTheDeadline() async throws {
        let server = ImageServer(delay: .seconds(8))
        let app = Application(responder: server, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let base = "http://127.0.0.1:\(try #require(client.port))"
            // A deadline the fast image meets even on a loaded machine (1 s was missed under a full test run).
            let gate = try gate(inspect: true, timeout: 2.5)
            let started = ContinuousClock.now
            let outcome = await gate.check(envelope(images: ["\(base)/slow.png", "\(base)/qr-bare-host.png"]))
            let waited = ContinuousClock.now - started
            // The slow image answers after 8 s: the verdict did not wait for it.
            #expect(waited < .milliseconds(7_000))
            // What arrived in time counts; the slow image is left out.
            #expect(outcome.verdict?.action == .reject)
            #expect(!rules(outcome).contains("test.shortener-link"))
        }
    }
}
