import Intake
import ActivityPub
import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import Reputation
import ReviewQueue
import Synchronization
import Testing

@testable import HerdwatchServer

/// A resolver whose answers a test scripts: answer `n` for the `n`th lookup (the last one repeats).
final class ScriptedResolver: KeyHostResolver {
    let answers: [[IPAddress]]
    let lookups = Mutex(0)

    init(_ answers: [[String]]) {
        self.answers = answers.map { $0.compactMap(IPAddress.init) }
    }

    func addresses(of host: String) async throws -> [IPAddress] {
        let index = lookups.withLock { count in
            defer { count += 1 }
            return count
        }
        return answers[min(index, answers.count - 1)]
    }

    var count: Int { lookups.withLock { $0 } }
}

/// Key fetching under attack (issue 17, items 8 and 10): a sender must not stall, amplify or poison it, nor make
/// it reach inside the operator's network.
extension KeyFetchTests {
    @Test func aSlowDripKeyServerIsCutOffAtTheDeadline() async throws {
        try await withKeyServer { server, origin in
            let alice = try RemoteActor(id: "\(origin)/users/alice")
            server.documents.withLock { $0["/users/alice"] = alice.document }
            // Headers at once, then a byte every 200 ms: minutes for the whole document, so a fetch that waits for
            // it is told apart from one cut off at the 2-second deadline even on a loaded machine.
            server.drip.withLock { $0 = .milliseconds(200) }
            let started = ContinuousClock.now
            do throws(KeyFetchError) {
                _ = try await fetcher(timeout: 2).key(for: alice.keyID, refresh: false)
                Issue.record("a slow-drip key server was waited for")
            } catch {
                #expect(error.code == .unreachable)
            }
            #expect(ContinuousClock.now - started < .seconds(30))
        }
    }

    @Test func concurrentFetchesOfOneKeyAreOneFetch() async throws {
        try await withKeyServer { server, origin in
            let alice = try RemoteActor(id: "\(origin)/users/alice")
            server.documents.withLock { $0["/users/alice"] = alice.document }
            server.delay.withLock { $0 = .milliseconds(300) }
            let keys = fetcher(refetchInterval: 0)
            try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<50 {
                    group.addTask { try await keys.key(for: alice.keyID, refresh: false).publicKeyPEM }
                }
                for try await pem in group { #expect(pem == alice.publicKeyPEM) }
            }
            #expect(server.count("/users/alice") == 1)
            try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<50 {
                    group.addTask { try await keys.key(for: alice.keyID, refresh: true).publicKeyPEM }
                }
                for try await pem in group { #expect(pem == alice.publicKeyPEM) }
            }
            #expect(server.count("/users/alice") == 2)
        }
    }

    /// What the gate does for each delivery whose signature fails under the cached key: ask for a refresh.
    @Test func badSignatureRefreshesOfACachedKeyAreRateLimited() async throws {
        try await withKeyServer { server, origin in
            let alice = try RemoteActor(id: "\(origin)/users/alice")
            server.documents.withLock { $0["/users/alice"] = alice.document }
            let keys = fetcher()
            _ = try await keys.key(for: alice.keyID, refresh: false)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<50 {
                    group.addTask { _ = try await keys.key(for: alice.keyID, refresh: true) }
                }
                try await group.waitForAll()
            }
            #expect(server.count("/users/alice") == 1)
        }
    }

    /// Through the gate: forged deliveries under a real keyId neither fetch again nor lock the real user out.
    @Test func forgedDeliveriesUnderARealKeyIdAreOneFetch() async throws {
        try await withKeyServer { server, origin in
            let alice = try RemoteActor(id: "\(origin)/users/alice")
            server.documents.withLock { $0["/users/alice"] = alice.document }
            let keys = fetcher()
            let gate = Gate(
                engines: try TestServer(keys: keys).components.engines, reputation: nil, cases: InMemoryCaseStore(),
                keys: keys, signatureMode: .enforce, metrics: ServerMetrics(), logger: Logger(label: "test"))
            let real = try alice.signedPost(path: "/inbox", host: "here.example", body: alice.note("hi"))
            #expect(await gate.verifySignature(of: real, now: Date()).0.signer == alice.id)
            let forger = try RemoteActor(id: alice.id)  // Same keyId, another key.
            let forged = try forger.signedPost(path: "/inbox", host: "here.example", body: forger.note("spam"))
            await withTaskGroup(of: SignatureStatus.self) { group in
                for _ in 0..<50 {
                    group.addTask { await gate.verifySignature(of: forged, now: Date()).0.status }
                }
                for await status in group { #expect(status == .failed) }
            }
            #expect(server.count("/users/alice") == 1)
            #expect(await gate.verifySignature(of: real, now: Date()).0.signer == alice.id)
        }
    }

    @Test func aFailedRefetchKeepsTheGoodKey() async throws {
        try await withKeyServer { server, origin in
            let alice = try RemoteActor(id: "\(origin)/users/alice")
            server.documents.withLock { $0["/users/alice"] = alice.document }
            let keys = fetcher(refetchInterval: 0)
            _ = try await keys.key(for: alice.keyID, refresh: false)
            server.status.withLock { $0 = .tooManyRequests }
            #expect(try await keys.key(for: alice.keyID, refresh: true).publicKeyPEM == alice.publicKeyPEM)
            #expect(server.count("/users/alice") == 2)
            // The real user's next delivery still verifies.
            #expect(try await keys.key(for: alice.keyID, refresh: false).publicKeyPEM == alice.publicKeyPEM)
            let delivery = try alice.signedPost(path: "/inbox", host: "here.example", body: alice.note("hi"))
            let key = try await keys.key(for: alice.keyID, refresh: false)
            #expect(throws: Never.self) { try SignatureVerifier.verify(delivery, publicKeyPEM: key.publicKeyPEM) }
            // A key the server rotates replaces it once the server answers again.
            let rotated = try RemoteActor(id: "\(origin)/users/alice")
            server.documents.withLock { $0["/users/alice"] = rotated.document }
            server.status.withLock { $0 = nil }
            #expect(try await keys.key(for: alice.keyID, refresh: true).publicKeyPEM == rotated.publicKeyPEM)
        }
    }

    @Test func theCacheStaysWithinItsBytesWithLargeDocuments() async throws {
        try await withKeyServer { server, origin in
            let padding = String(repeating: "spam ", count: 30_000)
            let fields = (0..<50).map {
                #"{"type":"PropertyValue","name":"f\#($0)","value":"\#(padding.prefix(1_000))"}"#
            }
            var actors: [RemoteActor] = []
            for index in 0..<20 {
                let actor = try RemoteActor(id: "\(origin)/users/u\(index)")
                let document =
                    actor.document.dropLast()
                    + #","summary":"\#(padding)","attachment":[\#(fields.joined(separator: ","))]}"#
                server.documents.withLock { $0["/users/u\(index)"] = String(document) }
                actors.append(actor)
            }
            let bound = 65_536
            let keys = fetcher(cacheBytes: bound)
            for actor in actors {
                let key = try await keys.key(for: actor.keyID, refresh: false)
                #expect((key.actor?.summary?.utf8.count ?? 0) <= Actor.CompactLimits.summary)
                #expect((key.actor?.fields.count ?? 0) <= Actor.CompactLimits.fields)
                #expect(key.actor?.json["publicKey"] == nil)
                #expect(keys.cachedBytes <= bound)
            }
            #expect(keys.cachedBytes > bound / 2)
            // Least recently used goes first: the last key is still cached, the first was evicted.
            _ = try await keys.key(for: actors[19].keyID, refresh: false)
            #expect(server.count("/users/u19") == 1)
            _ = try await keys.key(for: actors[0].keyID, refresh: false)
            #expect(server.count("/users/u0") == 2)
        }
    }

    @Test func theCompactActorReadsAsTheWholeDocument() throws {
        let document = #"""
            {"id":"https://a.example/users/carol","type":"Person","preferredUsername":"carol","name":"Carol ✨",
             "summary":"<p>Knits &amp; <a href=\"https://a.example/tags/wool\">#wool</a></p>",
             "published":"2023-01-02T03:04:05Z","icon":{"type":"Image","url":"https://a.example/avatar.png"},
             "followers":"https://a.example/users/carol/followers","inbox":"https://a.example/users/carol/inbox",
             "attachment":[{"type":"PropertyValue","name":"Site","value":"<a href=\"https://carol.example\">carol.example</a>"},
                           {"type":"Image","url":"https://a.example/x.png"}],
             "publicKey":{"id":"https://a.example/users/carol#main-key","owner":"https://a.example/users/carol","publicKeyPem":"-----BEGIN PUBLIC KEY-----"}}
            """#
        let actor = try Actor(json: try JSONValue.parse(document))
        let (compact, bytes) = actor.compacted()
        let activity = try Activity(
            json: try JSONValue.parse(
                #"{"id":"https://a.example/f/1","type":"Follow","actor":"https://a.example/users/carol","object":"https://here.example/users/bob"}"#
            ))
        let now = Date(timeIntervalSince1970: 1_708_423_200)
        let whole = Normalizer.subject(for: activity, actor: actor, now: now)
        let fromCompact = Normalizer.subject(for: activity, actor: compact, now: now)
        #expect(fromCompact.actor == whole.actor)
        #expect(fromCompact.texts == whole.texts)
        #expect(fromCompact.visibility == whole.visibility)
        #expect(whole.actor?.hasAvatar == true)
        #expect(compact.json["publicKey"] == nil && compact.json["inbox"] == nil)
        #expect(bytes < 1_000)
    }

    @Test func theSystemResolverFindsLocalNames() async throws {
        let addresses = try await SystemKeyHostResolver().addresses(of: "localhost")
        #expect(!addresses.isEmpty)
        #expect(addresses.allSatisfy { !AddressPolicy.isPublic($0) })
    }

    @Test func theConnectionGoesToTheAddressThatWasChecked() async throws {
        try await withKeyServer { server, origin in
            let port = try #require(URL(string: origin)?.port)
            // Rebinding: the first answer is checked; a second lookup would give an address nothing listens on.
            let resolver = ScriptedResolver([["127.0.0.1"], ["127.0.0.2"]])
            let alice = try RemoteActor(id: "http://keys.rebind.test:\(port)/users/alice")
            server.documents.withLock { $0["/users/alice"] = alice.document }
            let key = try await fetcher(resolver: resolver).key(for: alice.keyID, refresh: false)
            #expect(key.owner == alice.id)
            #expect(resolver.count == 1)
            #expect(server.count("/users/alice") == 1)
        }
    }

    @Test func aNameWithAnyNonPublicAddressIsRefused() async throws {
        let resolver = ScriptedResolver([["93.184.216.34", "10.0.0.5"]])
        do throws(KeyFetchError) {
            _ = try await fetcher(allowPrivate: false, resolver: resolver).key(
                for: "https://keys.rebind.test/users/alice#main-key", refresh: false)
            Issue.record("a name with a private address was fetched")
        } catch {
            #expect(error.code == .forbiddenAddress)
        }
        #expect(resolver.count == 1)
    }

    @Test func anUnresolvableNameIsRefused() async throws {
        try await withKeyServer { server, origin in
            let port = try #require(URL(string: origin)?.port)
            // Fails closed: nothing is fetched, even where a later lookup would have found the server.
            let resolver = ScriptedResolver([[], ["127.0.0.1"]])
            let alice = try RemoteActor(id: "http://nowhere.rebind.test:\(port)/users/alice")
            server.documents.withLock { $0["/users/alice"] = alice.document }
            do throws(KeyFetchError) {
                _ = try await fetcher(resolver: resolver).key(for: alice.keyID, refresh: false)
                Issue.record("an unresolvable name was fetched")
            } catch {
                #expect(error.code == .unreachable)
                #expect(error.message.contains("does not resolve"))
            }
            #expect(server.count("/users/alice") == 0)
        }
    }
}
