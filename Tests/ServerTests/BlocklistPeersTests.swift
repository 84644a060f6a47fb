import AsyncHTTPClient
import Blocklists
import Dispatch
import Foundation
import HerdwatchTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import Storage
import Synchronization
import Testing

/// Two Herdwatch instances on loopback: A publishes its signed list from a real `herdwatch serve`; B subscribes
/// with A's key and fetches with `herdwatch blocklist sync`. A relay in the test serves altered copies of A's
/// feed. Each refusal must leave B's entries as they were and say why.
@Suite("Two instances sharing a signed list")
struct BlocklistPeersTests {
    @Test func bFollowsAsSignedListAndRefusesTamperRollbackExpiryAndARetiredKey() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "herdwatch-peers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let a = folder.appendingPathComponent("a.sqlite").path
        let b = folder.appendingPathComponent("b.sqlite").path
        let list = folder.appendingPathComponent("ours.csv")
        try "#domain,#severity\nspam.example,suspend\nloud.example,silence\n".write(
            to: list, atomically: true, encoding: .utf8)
        #expect(try await cli(["blocklist", "import", "--db", a, list.path]).status == 0)
        let generated = try await cli(["blocklist", "keys", "generate", "--db", a])
        #expect(generated.status == 0, "\(generated.stderr)")
        let oldKey = String(generated.stdout.split(separator: "\t")[1])

        let server = try ChildServer.serve(["--db", a, "--rules", CLI.root.appendingPathComponent("Rules").path])
        defer { _ = server.stop() }
        let feed = "http://127.0.0.1:\(server.port)/herdwatch/blocklist/snapshot.json"

        @Sendable func sync() async throws -> CLI.Output {
            try await cli(["blocklist", "sync", "--allow-private-addresses", "--db", b])
        }
        @Sendable func subscribe(_ url: String, keys: [String]) async throws {
            let result = try await cli(
                ["blocklist", "subscribe", "peer-a", url, "--db", b] + keys.flatMap { ["--key", $0] })
            #expect(result.status == 0, "\(result.stderr)")
        }
        let bStore = SQLiteBlocklistStore(database: try SQLiteDatabase(path: b))
        @Sendable func entries() async throws -> [String] {
            try await bStore.subscriptionEntries(id: "peer-a").map {
                "\($0.domain) \($0.severity.rawValue) \($0.state.rawValue)"
            }
        }

        try await subscribe(feed, keys: [oldKey])
        let first = try await sync()
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        #expect(first.stdout == "peer-a: updated, 2 entries, snapshot 1\n")
        #expect(try await entries() == ["loud.example silence active", "spam.example suspend active"])
        #expect(try await sync().stdout == "peer-a: unchanged\n")
        let firstSnapshot = try await fetch(feed)

        // A retraction on A reaches B.
        let aStore = SQLiteBlocklistStore(database: try SQLiteDatabase(path: a))
        try await aStore.retract(domain: "loud.example", provenance: BlockProvenance(origin: .person("admin")))
        #expect(try await sync().stdout == "peer-a: updated, 2 entries, snapshot 2\n")
        let accepted = try await entries()
        #expect(accepted == ["loud.example silence retracted", "spam.example suspend active"])
        let current = try await fetch(feed)

        let relay = RelayServer()
        let relayApp = Application(responder: relay, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await relayApp.test(.live) { client in
            try await subscribe("http://127.0.0.1:\(try #require(client.port))/feed.json", keys: [oldKey])
            func refused(_ bytes: Data) async throws -> String {
                relay.files.withLock { $0["/feed.json"] = bytes }
                let result = try await sync()
                #expect(result.status == 1)
                #expect(try await entries() == accepted, "a refused fetch changed B's entries")
                let listed = try await cli(["blocklist", "subscriptions", "--db", b]).stdout
                #expect(listed.contains("entries=2\tsequence=2\t"))
                return result.stdout
            }
            var tampered = try SignedEnvelope(decoding: current)
            tampered.payload = Data(
                String(decoding: tampered.payload, as: UTF8.self).replacingOccurrences(
                    of: "\"suspend\"", with: "\"noop\""
                ).utf8)
            #expect(try await refused(tampered.encoded).hasPrefix("peer-a: rejected: badSignature: "))
            #expect(try await refused(firstSnapshot).hasPrefix("peer-a: rejected: rollback: "))

            let key = try #require(try await aStore.signingKeys().first)
            let latest = try BlocklistSnapshot(payload: try SignedEnvelope(decoding: current).payload)
            let stale = BlocklistSnapshot(
                publisher: latest.publisher, sequence: 3, history: [latest.checkpoint] + latest.history,
                issuedAt: Date(timeIntervalSinceNow: -7200), expiresAt: Date(timeIntervalSinceNow: -60), keyID: key.id,
                entries: [])
            #expect(try await refused(stale.signed(with: [key]).encoded).hasPrefix("peer-a: rejected: expired: "))
        }

        // Rotation on A: during the overlap, B (still pinned to the old key) verifies; after it, only the new key.
        try await subscribe(feed, keys: [oldKey])
        let rotated = try await cli(["blocklist", "keys", "rotate", "--overlap", "3600", "--db", a])
        #expect(rotated.status == 0, "\(rotated.stderr)")
        let newKey = String(rotated.stdout.split(separator: "\n")[0].split(separator: "\t")[1])
        #expect(try await sync().stdout == "peer-a: updated, 2 entries, snapshot 3\n")
        var retired = try #require(try await aStore.signingKeys().first { $0.publicKey == oldKey })
        retired.validUntil = Date(timeIntervalSinceNow: -1)
        try await aStore.saveSigningKeys([retired])
        let pinned = try await sync()
        #expect(pinned.status == 1)
        #expect(pinned.stdout.hasPrefix("peer-a: rejected: unknownKey: "))
        #expect(try await entries() == accepted)
        try await subscribe(feed, keys: [oldKey, newKey])
        #expect(try await sync().stdout == "peer-a: updated, 2 entries, snapshot 4\n")
        let keys = try await fetch("http://127.0.0.1:\(server.port)/.well-known/herdwatch-blocklist-keys")
        #expect(String(decoding: keys, as: UTF8.self).contains(newKey))
        #expect(!String(decoding: keys, as: UTF8.self).contains(oldKey))
    }

    /// Three instances, each a real `herdwatch serve` publishing its own signed list: A and B subscribe to each
    /// other, and B also to C. What A applies from B is never published back to B; B's thresholds decide which of
    /// A's and C's blocks it is offered; B's retraction reaches A as a held retraction.
    @Test func aAndBSubscribeToEachOtherWithoutEchoesAndBsThresholdsDecide() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "herdwatch-mutual-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let lists = [
            "a": "#domain,#severity\na-spam.example,suspend\nshared.example,silence\n",
            "b": "#domain,#severity\nb-spam.example,suspend\n",
            "c": "#domain,#severity\nshared.example,suspend\nc-only.example,suspend\n",
        ]
        var databases: [String: String] = [:]
        var keys: [String: String] = [:]
        var servers: [String: ChildServer] = [:]
        defer { for server in servers.values { _ = server.stop() } }
        for (name, list) in lists.sorted(by: { $0.key < $1.key }) {
            let db = folder.appendingPathComponent("\(name).sqlite").path
            let file = folder.appendingPathComponent("\(name).csv")
            try list.write(to: file, atomically: true, encoding: .utf8)
            #expect(try await cli(["blocklist", "import", "--db", db, file.path]).status == 0)
            let generated = try await cli(["blocklist", "keys", "generate", "--db", db])
            #expect(generated.status == 0, "\(generated.stderr)")
            keys[name] = String(generated.stdout.split(separator: "\t")[1])
            databases[name] = db
            servers[name] = try ChildServer.serve(["--db", db, "--rules", CLI.root.appendingPathComponent("Rules").path])
        }
        func feed(_ name: String) throws -> String {
            "http://127.0.0.1:\(try #require(servers[name]).port)/herdwatch/blocklist/snapshot.json"
        }
        func run(_ arguments: [String], on name: String) async throws -> CLI.Output {
            let result = try await cli(arguments + ["--db", try #require(databases[name])])
            #expect(result.status == 0, "\(arguments): \(result.stdout)\(result.stderr)")
            return result
        }
        func subscribe(_ name: String, to peer: String, _ options: [String] = []) async throws {
            _ = try await run(
                ["blocklist", "subscribe", "peer-\(peer)", try feed(peer), "--key", try #require(keys[peer])] + options, on: name)
        }
        func sync(_ name: String) async throws -> String {
            try await run(["blocklist", "sync", "--allow-private-addresses"], on: name).stdout
        }
        func entries(_ name: String, from peer: String) async throws -> [String] {
            let store = SQLiteBlocklistStore(database: try SQLiteDatabase(path: try #require(databases[name])))
            return try await store.subscriptionEntries(id: "peer-\(peer)").filter { $0.state == .active }.map {
                "\($0.domain) \($0.severity.rawValue)"
            }
        }

        try await subscribe("a", to: "b")
        try await subscribe("b", to: "a")
        try await subscribe("b", to: "c", ["--weight", "2"])
        #expect(try await sync("a") == "peer-b: updated, 1 entries, snapshot 1\n")
        #expect(try await sync("b") == "peer-a: updated, 2 entries, snapshot 1\npeer-c: updated, 2 entries, snapshot 1\n")
        // B's server did not run that sync, yet sees within seconds that a subscribed list names a-spam.example.
        #expect(try await peerListed(on: try #require(servers["b"])), "B's server never saw what the CLI sync fetched")

        // A applies B's block; it is A's to enforce, not A's to publish: B fetches only A's own blocks back.
        #expect(try await run(["blocklist", "drafts"], on: "a").stdout == "addition\tb-spam.example\t- -> suspend\tpeer-b\n")
        #expect(try await run(["blocklist", "apply", "--all"], on: "a").stdout.hasPrefix("batch 1: 1 applied"))
        #expect(try await run(["blocklist", "list"], on: "a").stdout.contains("b-spam.example\tsuspend"))
        _ = try await sync("b")
        #expect(try await entries("b", from: "a") == ["a-spam.example suspend", "shared.example silence"])

        // B's thresholds: two lists must agree (count), or C's double weight is enough alone (weight).
        let agreed = try await run(["blocklist", "drafts", "--threshold", "count:2"], on: "b").stdout
        #expect(agreed == "addition\tshared.example\t- -> suspend\tpeer-a,peer-c\n")
        let weighted = try await run(["blocklist", "drafts", "--threshold", "weight:2"], on: "b").stdout
        #expect(weighted.contains("addition\tc-only.example\t- -> suspend\tpeer-c\n"))
        #expect(weighted.contains("addition\tshared.example\t"))
        #expect(!weighted.contains("a-spam.example"))
        _ = try await run(["blocklist", "apply", "--threshold", "count:2", "--all"], on: "b")
        #expect(try await run(["blocklist", "list"], on: "b").stdout.contains("shared.example\tsuspend"))

        // B retracts its own block; A sees a retraction of everything peer-b brought, held until confirmed.
        let bStore = SQLiteBlocklistStore(database: try SQLiteDatabase(path: try #require(databases["b"])))
        try await bStore.retract(domain: "b-spam.example", provenance: BlockProvenance(origin: .person("admin")))
        #expect(try await sync("a") == "peer-b: updated, 1 entries, snapshot 2\n")
        #expect(try await entries("a", from: "b") == [])
        let drafts = try await run(["blocklist", "drafts"], on: "a").stdout
        #expect(drafts.contains("retraction\tb-spam.example\tsuspend -> retract\towner peer-b\tHELD"))
        let unconfirmed = try await cli(["blocklist", "apply", "--all", "--db", try #require(databases["a"])])
        #expect(unconfirmed.status == 2)
        _ = try await run(["blocklist", "apply", "--all", "--confirm-mass-retraction"], on: "a")
        #expect(!(try await run(["blocklist", "list"], on: "a").stdout.contains("b-spam.example")))
        // And B, fetching A again, still sees only A's own list.
        _ = try await sync("b")
        #expect(try await entries("b", from: "a") == ["a-spam.example suspend", "shared.example silence"])
    }

    /// Whether `server`'s hook fires `reputation.peer-listed-domain` on a post from a-spam.example within 10 s.
    func peerListed(on server: ChildServer) async throws -> Bool {
        for attempt in 0..<50 {
            // A new id each time: a repeated delivery gets its first verdict back.
            let post = """
                {"@context":"https://www.w3.org/ns/activitystreams","id":"https://a-spam.example/users/x/statuses/\(attempt)/activity",
                 "type":"Create","actor":"https://a-spam.example/users/x","to":["https://www.w3.org/ns/activitystreams#Public"],
                 "object":{"id":"https://a-spam.example/users/x/statuses/\(attempt)","type":"Note","attributedTo":"https://a-spam.example/users/x",
                 "content":"<p>hello there, number \(attempt)</p>","to":["https://www.w3.org/ns/activitystreams#Public"]}}
                """
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/api/v1/check")
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(server.adminToken)")
            request.body = .bytes(ByteBuffer(string: post))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
            if text.contains("\"rule\":\"reputation.peer-listed-domain\"") { return true }
            try await Task.sleep(for: .milliseconds(200))
        }
        return false
    }

    /// The CLI, waited for on a Dispatch thread: a blocking wait on the cooperative pool could starve the relay
    /// served from this process (two cores, suites in parallel).
    func cli(_ arguments: [String]) async throws -> CLI.Output {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try CLI.run(arguments) }) }
        }
    }

    func fetch(_ url: String) async throws -> Data {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
        #expect(response.status == .ok)
        return Data(try await response.body.collect(upTo: 1 << 20).readableBytesView)
    }
}
