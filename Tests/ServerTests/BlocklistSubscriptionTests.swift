import Access
import AsyncHTTPClient
import Blocklists
import Configuration
import Foundation
import HerdwatchTestSupport
import Hummingbird
import HummingbirdTesting
import Intake
import Logging
import NIOCore
import Storage
import Synchronization
import Testing

@testable import HerdwatchServer

/// The subscriptions `onUpdated` was called for.
final class UpdateLog: Sendable {
    let ids = Mutex<[String]>([])
}

@Suite("Fetching blocklist subscriptions")
struct BlocklistSubscriptionTests {
    /// A subscriber's store and fetcher (loopback allowed, as tests need), counting `onUpdated` calls.
    final class Subscriber: Sendable {
        let store: SQLiteBlocklistStore
        let fetcher: BlocklistSubscriptionFetcher
        let updated = UpdateLog()
        let path: String

        init(timeout: TimeInterval = 30, maxBytes: Int = 1 << 20) throws {
            path = temporaryDatabasePath()
            store = SQLiteBlocklistStore(database: try SQLiteDatabase(path: path))
            let updated = self.updated
            fetcher = BlocklistSubscriptionFetcher(
                store: store,
                settings: BlocklistFeedSettings(
                    fetchTimeout: timeout, fetchMaxBytes: maxBytes, allowPrivateAddresses: true),
                logger: Logger(label: "test"), onUpdated: { id in updated.ids.withLock { $0.append(id) } })
        }

        func subscribe(_ url: String, keys: [String] = [], format: BlocklistFormat? = nil) async throws
            -> BlocklistSubscription
        {
            let subscription = try BlocklistSubscription(id: "peer-a", url: url, format: format, publicKeys: keys)
                .validated()
            try await store.saveSubscription(subscription)
            return subscription
        }

        func entries() async throws -> [String] {
            try await store.subscriptionEntries(id: "peer-a").map { "\($0.domain) \($0.state.rawValue)" }
        }
    }

    /// A live publisher and a relay on loopback.
    func withPeers(_ body: @Sendable (Publisher, String, RelayServer, String) async throws -> Void) async throws {
        let publisher = try Publisher()
        defer { publisher.cleanup() }
        let relay = RelayServer()
        let relayApp = Application(responder: relay, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        let app = HerdwatchApplication.make(publisher.components)
        try await app.test(.live) { client in
            try await relayApp.test(.live) { relayClient in
                try await body(
                    publisher, "http://127.0.0.1:\(try #require(client.port))", relay,
                    "http://127.0.0.1:\(try #require(relayClient.port))")
            }
        }
    }

    @Test func aSignedFeedIsFetchedVerifiedConditionallyAndItsRetractionsArrive() async throws {
        try await withPeers { publisher, origin, _, _ in
            let key = try await publisher.seed()
            let subscriber = try Subscriber()
            defer { removeDatabase(at: subscriber.path) }
            let subscription = try await subscriber.subscribe(
                "\(origin)/herdwatch/blocklist/snapshot.json", keys: [key.publicKey])

            let first = try await subscriber.fetcher.sync(subscription)
            #expect(first.result == .updated(entries: 2))
            #expect(try await subscriber.entries() == ["gone.example retracted", "ours.example active"])
            let stored = try await subscriber.store.subscriptionEntries(id: "peer-a")
            #expect(stored.allSatisfy { $0.provenance?.origin == .subscription("peer-a") })
            #expect(subscriber.updated.ids.withLock { $0 } == ["peer-a"])
            #expect(first.state.checkpoint?.sequence == 1)
            #expect(first.state.etag != nil)

            let again = try await subscriber.fetcher.sync(subscription)
            #expect(again.result == .unchanged)
            #expect(subscriber.updated.ids.withLock { $0.count } == 1)

            try await publisher.store.retract(
                domain: "ours.example", provenance: BlockProvenance(origin: .person("admin")))
            let retracted = try await subscriber.fetcher.sync(subscription)
            #expect(retracted.result == .updated(entries: 2))
            #expect(retracted.state.checkpoint?.sequence == 2)
            #expect(try await subscriber.entries() == ["gone.example retracted", "ours.example retracted"])
        }
    }

    @Test func tamperRollbackExpiryAndUnknownKeysAreRefusedAndTheEntriesStay() async throws {
        try await withPeers { publisher, origin, relay, relayOrigin in
            let key = try await publisher.seed()
            let subscriber = try Subscriber()
            defer { removeDatabase(at: subscriber.path) }
            let http = HTTPClient.shared
            func published() async throws -> Data {
                let response = try await http.execute(
                    HTTPClientRequest(url: "\(origin)/herdwatch/blocklist/snapshot.json"), timeout: .seconds(30))
                return Data(try await response.body.collect(upTo: 1 << 20).readableBytesView)
            }
            let first = try await published()
            try await publisher.store.save(DomainBlock(domain: "new.example"))
            let second = try await published()
            // The subscriber accepts snapshot 2 through the relay.
            relay.files.withLock { $0["/feed.json"] = second }
            let subscription = try await subscriber.subscribe("\(relayOrigin)/feed.json", keys: [key.publicKey])
            #expect(try await subscriber.fetcher.sync(subscription).result == .updated(entries: 3))
            let kept = try await subscriber.entries()

            func refusal(_ bytes: Data) async throws -> String? {
                relay.files.withLock { $0["/feed.json"] = bytes }
                let outcome = try await subscriber.fetcher.sync(subscription)
                #expect(try await subscriber.entries() == kept)
                #expect(outcome.state.checkpoint?.sequence == 2)
                guard case .rejected(let message) = outcome.result else { return nil }
                #expect(outcome.state.lastError == message)
                #expect(try await subscriber.store.fetchState(subscriptionID: "peer-a").lastError == message)
                return message
            }

            var envelope = try SignedEnvelope(decoding: second)
            envelope.payload = Data(
                String(decoding: envelope.payload, as: UTF8.self)
                    .replacingOccurrences(of: "new.example", with: "nice.example").utf8)
            #expect(try await refusal(envelope.encoded)?.hasPrefix("badSignature:") == true)
            #expect(try await refusal(first)?.hasPrefix("rollback:") == true)

            let signing = try #require(try await publisher.store.signingKeys().first)
            let snapshot = try BlocklistSnapshot(payload: try SignedEnvelope(decoding: second).payload)
            let stale = BlocklistSnapshot(
                publisher: "a.example", sequence: 3, history: [snapshot.checkpoint] + snapshot.history,
                issuedAt: Date(timeIntervalSinceNow: -7200), expiresAt: Date(timeIntervalSinceNow: -3600),
                keyID: signing.id,
                entries: [])
            #expect(try await refusal(stale.signed(with: [signing]).encoded)?.hasPrefix("expired:") == true)

            let stranger = BlocklistSigningKey.generate()
            let foreign = BlocklistSnapshot(
                publisher: "a.example", sequence: 3, history: [snapshot.checkpoint] + snapshot.history,
                issuedAt: Date(),
                expiresAt: Date(timeIntervalSinceNow: 3600), keyID: stranger.id, entries: [])
            #expect(try await refusal(foreign.signed(with: [stranger]).encoded)?.hasPrefix("unknownKey:") == true)

            let forked = BlocklistSnapshot(
                publisher: "a.example", sequence: 4, history: [BlocklistFeedCheckpoint(sequence: 2, sha256: "00")],
                issuedAt: Date(), expiresAt: Date(timeIntervalSinceNow: 3600), keyID: signing.id, entries: [])
            #expect(try await refusal(forked.signed(with: [signing]).encoded)?.hasPrefix("gap:") == true)

            relay.files.withLock { $0["/feed.json"] = Data("#domain\nplain.example\n".utf8) }
            let unsigned = try await subscriber.fetcher.sync(subscription)
            #expect(unsigned.state.lastError != nil)
            #expect(try await subscriber.entries() == kept)
        }
    }

    @Test func duringTheOverlapAPinnedOldKeyVerifiesAndAfterItOnlyTheNewOne() async throws {
        try await withPeers { publisher, origin, _, _ in
            let old = try await publisher.seed()
            let subscriber = try Subscriber()
            defer { removeDatabase(at: subscriber.path) }
            var subscription = try await subscriber.subscribe(
                "\(origin)/herdwatch/blocklist/snapshot.json", keys: [old.publicKey])
            #expect(try await subscriber.fetcher.sync(subscription).result == .updated(entries: 2))

            var keyring = BlocklistKeyring(try await publisher.store.signingKeys())
            let rotated = keyring.rotate(now: Date(timeIntervalSinceNow: -1), overlap: 3600)
            try await publisher.store.saveSigningKeys(rotated)
            let during = try await subscriber.fetcher.sync(subscription)
            #expect(during.result == .updated(entries: 2))
            #expect(during.state.checkpoint?.sequence == 2)

            // The overlap ends: only the new key signs, and a subscriber still pinned to the old one refuses.
            var retired = rotated[1]
            retired.validUntil = Date(timeIntervalSinceNow: -1)
            try await publisher.store.saveSigningKeys([retired])
            let after = try await subscriber.fetcher.sync(subscription)
            guard case .rejected(let message) = after.result else {
                Issue.record("accepted a snapshot the pinned key did not sign: \(after.result)")
                return
            }
            #expect(message.hasPrefix("unknownKey:"))
            subscription.publicKeys.append(rotated[0].publicKey)
            try await subscriber.store.saveSubscription(subscription)
            let added = try await subscriber.fetcher.sync(subscription)
            #expect(added.result == .updated(entries: 2))
            #expect(added.state.checkpoint?.sequence == 3)
        }
    }

    @Test func aCSVViewIsCheckedAgainstItsDetachedSignatureAndAnUnsignedListIsParsed() async throws {
        try await withPeers { publisher, origin, relay, relayOrigin in
            let key = try await publisher.seed()
            let subscriber = try Subscriber()
            defer { removeDatabase(at: subscriber.path) }
            let signed = try await subscriber.subscribe(
                "\(origin)/herdwatch/blocklist/mastodon.csv", keys: [key.publicKey], format: .mastodonCSV)
            let outcome = try await subscriber.fetcher.sync(signed)
            #expect(outcome.result == .updated(entries: 1))
            #expect(outcome.state.checkpoint?.sequence == 1)
            #expect(try await subscriber.entries() == ["ours.example active"])

            // The same CSV with a row added, beside the genuine signature.
            let http = HTTPClient.shared
            let signature = try await http.execute(
                HTTPClientRequest(url: "\(origin)/herdwatch/blocklist/mastodon.csv.sig"), timeout: .seconds(30))
            let sig = Data(try await signature.body.collect(upTo: 1 << 20).readableBytesView)
            try await publisher.store.save(DomainBlock(domain: "later.example"))
            relay.files.withLock {
                $0["/list.csv"] = Data("#domain,#severity\nours.example,suspend\nevil.example,suspend\n".utf8)
                $0["/list.csv.sig"] = sig
            }
            var relayed = signed
            relayed.url = "\(relayOrigin)/list.csv"
            try await subscriber.store.saveSubscription(relayed)
            guard case .rejected(let message) = try await subscriber.fetcher.sync(relayed).result else {
                Issue.record("a changed CSV was accepted")
                return
            }
            #expect(message.hasPrefix("fileMismatch:"))
            #expect(try await subscriber.entries() == ["ours.example active"])

            var plain = signed
            plain.publicKeys = []
            plain.format = nil
            plain.url = "\(origin)/herdwatch/blocklist/fediblockhole.csv"
            try await subscriber.store.saveSubscription(plain)
            #expect(try await subscriber.fetcher.sync(plain).result == .updated(entries: 2))
        }
    }

    @Test func privateAddressesAndOversizedListsAreRefused() async throws {
        try await withPeers { publisher, origin, relay, relayOrigin in
            _ = try await publisher.seed()
            let subscriber = try Subscriber(maxBytes: 64)
            defer { removeDatabase(at: subscriber.path) }
            relay.files.withLock { $0["/big.txt"] = Data(String(repeating: "a.example\n", count: 100).utf8) }
            let big = try await subscriber.subscribe("\(relayOrigin)/big.txt")
            guard case .failed(let message) = try await subscriber.fetcher.sync(big).result else {
                Issue.record("an oversized list was read")
                return
            }
            #expect(message.contains("larger than 64 bytes"))

            let strict = BlocklistSubscriptionFetcher(
                store: subscriber.store, settings: BlocklistFeedSettings(), logger: Logger(label: "test"))
            let local = try await subscriber.subscribe("\(origin)/herdwatch/blocklist/domains.txt")
            guard case .failed(let refused) = try await strict.sync(local).result else {
                Issue.record("a loopback address was fetched without allowPrivateAddresses")
                return
            }
            #expect(refused.contains("non-public address"))
        }
    }

    @Test func theAPIListsSubscriptionStatesAndSyncsOnDemand() async throws {
        try await withPeers { publisher, origin, _, _ in
            let key = try await publisher.seed()
            let subscriber = try Publisher(values: ["keys.allowPrivateAddresses": true])
            defer { subscriber.cleanup() }
            try await subscriber.store.saveSubscription(
                BlocklistSubscription(
                    id: "peer-a", url: "\(origin)/herdwatch/blocklist/snapshot.json", publicKeys: [key.publicKey]))
            let server = try TestServer()
            var components = subscriber.components
            components.access = server.access
            let token = try await server.token([.adminRead, .adminWrite])
            let applied = components.blocklist
            let app = HerdwatchApplication.make(components)
            try await app.test(.router) { client in
                let auth: HTTPFields = [.authorization: "Bearer \(token)"]
                let synced = try await client.execute(
                    uri: "/herdwatch/api/v1/blocklist/subscriptions/peer-a/sync", method: .post, headers: auth)
                #expect(synced.status == .ok)
                let body = try json(String(buffer: synced.body))
                #expect(body["result"] as? String == "updated")
                #expect(body["entries"] as? Int == 2)
                #expect(body["last_sequence"] as? Int == 1)
                // The applied list re-read what subscriptions carry: the gate sees the peer's block.
                #expect(applied.status(of: "www.ours.example").peerListed)
                // A retraction the peer carries lists nothing.
                #expect(!applied.status(of: "gone.example").peerListed)

                let missing = try await client.execute(
                    uri: "/herdwatch/api/v1/blocklist/subscriptions/nobody/sync", method: .post, headers: auth)
                #expect(missing.status == .notFound)
                let list = try await client.execute(
                    uri: "/herdwatch/api/v1/blocklist/subscriptions", method: .get, headers: auth)
                let states = try #require(
                    try JSONSerialization.jsonObject(with: Data(list.body.readableBytesView)) as? [[String: Any]])
                #expect(states.map { $0["id"] as? String } == ["peer-a"])
                #expect(states.first?["last_error"] == nil || states.first?["last_error"] is NSNull)
                #expect(states.first?["keys"] as? Int == 1)
            }
        }
    }

    @Test func theServiceFetchesEachEnabledSubscriptionWhenItsIntervalHasPassed() async throws {
        try await withPeers { publisher, origin, _, _ in
            let key = try await publisher.seed()
            let subscriber = try Subscriber()
            defer { removeDatabase(at: subscriber.path) }
            let url = "\(origin)/herdwatch/blocklist/snapshot.json"
            try await subscriber.store.saveSubscription(
                BlocklistSubscription(id: "peer-a", url: url, publicKeys: [key.publicKey], interval: 600))
            try await subscriber.store.saveSubscription(
                BlocklistSubscription(id: "paused", url: url, publicKeys: [key.publicKey], enabled: false))
            let service = BlocklistSubscriptionService(fetcher: subscriber.fetcher, checkInterval: .seconds(30))
            // Whole seconds: the store keeps times as seconds since 1970, which a Date does not round-trip exactly.
            let start = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded())
            func attempted(_ id: String) async throws -> Date? {
                try await subscriber.store.fetchState(subscriptionID: id).lastAttempt
            }
            await service.syncDue(now: start)
            #expect(try await attempted("peer-a") == start)
            #expect(try await attempted("paused") == nil)
            #expect(try await subscriber.entries().count == 2)
            await service.syncDue(now: start + 300)
            #expect(try await attempted("peer-a") == start)
            await service.syncDue(now: start + 601)
            #expect(try await attempted("peer-a") == start + 601)
        }
    }
}
