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
