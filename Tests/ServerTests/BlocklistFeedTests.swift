import AsyncHTTPClient
import Blocklists
import Configuration
import Foundation
import HTTPTypes
import HerdwatchTestSupport
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Storage
import Synchronization
import Testing

@testable import HerdwatchServer

/// Serves whatever bytes a test puts at a path: a peer that tampers, rolls back or replays.
final class RelayServer: HTTPResponder, Sendable {
    typealias Context = BasicRequestContext
    let files = Mutex<[String: Data]>([:])

    func respond(to request: Request, context: Context) async throws -> Response {
        guard let body = files.withLock({ $0[request.uri.path] }) else { return Response(status: .notFound) }
        return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// A publishing server on a temporary SQLite file.
struct Publisher {
    let store: SQLiteBlocklistStore
    let components: ServerComponents
    let path: String

    init(values: [AbsoluteConfigKey: ConfigValue] = [:]) throws {
        path = temporaryDatabasePath()
        store = SQLiteBlocklistStore(database: try SQLiteDatabase(path: path))
        var components = try TestServer(values: values.merging(["blocklist.publisher": "a.example"]) { $1 }).components
        components.blocklist = AppliedBlocklist(
            store: store, subscribed: { [store] in try await store.allSubscriptionEntries() })
        self.components = components
    }

    func cleanup() { removeDatabase(at: path) }

    /// A current key, ours and retracted entries, and one relayed from a subscription.
    func seed() async throws -> BlocklistSigningKey {
        let key = BlocklistSigningKey.generate(now: Date(timeIntervalSinceNow: -60))
        try await store.saveSigningKeys([key])
        try await store.save(DomainBlock(domain: "ours.example", provenance: BlockProvenance(origin: .person("admin"))))
        try await store.save(DomainBlock(domain: "gone.example", severity: .silence))
        try await store.retract(domain: "gone.example", provenance: BlockProvenance(origin: .person("admin")))
        try await store.save(
            DomainBlock(domain: "relayed.example", provenance: BlockProvenance(origin: .subscription("peer"))))
        return key
    }
}

@Suite("Blocklist feed routes")
struct BlocklistFeedRoutesTests {
    @Test func theSignedSnapshotAndEveryViewAreServedWithValidatorsAndSignatures() async throws {
        let publisher = try Publisher()
        defer { publisher.cleanup() }
        let app = HerdwatchApplication.make(publisher.components)
        try await app.test(.router) { client in
            let before = try await client.execute(uri: "/herdwatch/blocklist/snapshot.json", method: .get)
            #expect(before.status == .notFound)
            #expect(String(buffer: before.body).contains("herdwatch blocklist keys generate"))

            let key = try await publisher.seed()
            let keys = try await client.execute(uri: "/.well-known/herdwatch-blocklist-keys", method: .get)
            #expect(keys.status == .ok, "\(String(buffer: keys.body))")
            let listed = try #require(try json(String(buffer: keys.body))["keys"] as? [[String: Any]])
            #expect(listed.map { $0["public_key"] as? String } == [key.publicKey])
            #expect(listed.map { $0["key_id"] as? String } == [key.id])

            let response = try await client.execute(uri: "/herdwatch/blocklist/snapshot.json", method: .get)
            #expect(response.status == .ok)
            let snapshot = try BlocklistFeedVerifier.snapshot(
                Data(response.body.readableBytesView), trustedKeys: [key.publicKey], last: nil, now: Date())
            #expect(snapshot.publisher == "a.example")
            #expect(snapshot.entries.map(\.domain) == ["gone.example", "ours.example"])
            #expect(snapshot.entries.map(\.state) == [.retracted, .active])
            let etag = try #require(response.headers[.eTag])
            let lastModified = try #require(response.headers[.lastModified])
            let cached = try await client.execute(
                uri: "/herdwatch/blocklist/snapshot.json", method: .get, headers: [.ifNoneMatch: etag])
            #expect(cached.status == .notModified)
            #expect(cached.body.readableBytes == 0)
            let since = try await client.execute(
                uri: "/herdwatch/blocklist/snapshot.json", method: .get, headers: [.ifModifiedSince: lastModified])
            #expect(since.status == .notModified)
            let other = try await client.execute(
                uri: "/herdwatch/blocklist/snapshot.json", method: .get, headers: [.ifNoneMatch: "\"other\""])
            #expect(other.status == .ok)

            for name in BlocklistFeedRoutes.files.keys.sorted() {
                let file = try await client.execute(uri: "/herdwatch/blocklist/\(name)", method: .get)
                let signature = try await client.execute(uri: "/herdwatch/blocklist/\(name).sig", method: .get)
                #expect(file.status == .ok, "\(name)")
                #expect(!String(buffer: file.body).contains("relayed.example"), "\(name) relays a subscribed block")
                let verified = try BlocklistFeedVerifier.detached(
                    file: Data(file.body.readableBytesView), signature: Data(signature.body.readableBytesView),
                    trustedKeys: [key.publicKey],
                    last: nil, now: Date())
                #expect(verified.checkpoint == snapshot.checkpoint, "\(name)")
                #expect(verified.file == name)
            }
            let csv = try await client.execute(uri: "/herdwatch/blocklist/mastodon.csv", method: .get)
            #expect(
                String(buffer: csv.body)
                    == "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\nours.example,suspend,false,false,,false\n"
            )
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)

            let missing = try await client.execute(uri: "/herdwatch/blocklist/secrets.db", method: .get)
            #expect(missing.status == .notFound)
            let old = try await client.execute(uri: "/herdwatch/blocklist.csv", method: .get)
            #expect(old.status == .ok)
        }
    }

    @Test func theChangeFeedListsOurChangesAfterACursor() async throws {
        let publisher = try Publisher()
        defer { publisher.cleanup() }
        _ = try await publisher.seed()
        let app = HerdwatchApplication.make(publisher.components)
        try await app.test(.router) { client in
            let all = try json(
                String(buffer: try await client.execute(uri: "/herdwatch/blocklist/changes", method: .get).body))
            let changes = try #require(all["changes"] as? [[String: Any]])
            #expect(
                changes.map { "\($0["kind"]!) \($0["domain"]!)" } == [
                    "added ours.example", "added gone.example", "retracted gone.example",
                ])
            let cursor = try #require(all["cursor"] as? Int)
            try await publisher.store.save(DomainBlock(domain: "ours.example", severity: .silence))
            let later = try json(
                String(
                    buffer: try await client.execute(uri: "/herdwatch/blocklist/changes?after=\(cursor)", method: .get)
                        .body))
            let next = try #require(later["changes"] as? [[String: Any]])
            #expect(
                next.map { "\($0["kind"]!) \($0["domain"]!) \($0["severity"]!)" } == ["changed ours.example silence"])
            let bad = try await client.execute(uri: "/herdwatch/blocklist/changes?after=x", method: .get)
            #expect(bad.status == .badRequest)
        }
    }

    @Test func aFeedTokenGuardsThePublishedListButNotTheKeys() async throws {
        let publisher = try Publisher(values: ["blocklist.feedToken": .init(.string("peer-secret"), isSecret: true)])
        defer { publisher.cleanup() }
        _ = try await publisher.seed()
        let app = HerdwatchApplication.make(publisher.components)
        try await app.test(.router) { client in
            for uri in [
                "/herdwatch/blocklist/snapshot.json", "/herdwatch/blocklist/domains.txt",
                "/herdwatch/blocklist/changes",
            ] {
                let refused = try await client.execute(uri: uri, method: .get)
                #expect(refused.status == .unauthorized, "\(uri)")
                let wrong = try await client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer nope"])
                #expect(wrong.status == .unauthorized, "\(uri)")
                let allowed = try await client.execute(
                    uri: uri, method: .get, headers: [.authorization: "Bearer peer-secret"])
                #expect(allowed.status == .ok, "\(uri)")
            }
            let keys = try await client.execute(uri: "/.well-known/herdwatch-blocklist-keys", method: .get)
            #expect(keys.status == .ok)
        }
    }
}
