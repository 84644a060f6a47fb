import Intake
import ActivityPub
import AsyncHTTPClient
import Foundation
@testable import HerdwatchServer
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Reputation
import Synchronization
import Testing

/// A key server on loopback whose documents and delays a test controls, counting requests per path.
final class KeyServer: HTTPResponder, Sendable {
    typealias Context = BasicRequestContext
    let documents = Mutex<[String: String]>([:])
    let hits = Mutex<[String: Int]>([:])
    let delay = Mutex<Duration>(.zero)
    /// When set, only GETs signed with this public key are answered (authorized-fetch mode).
    let requiredSigner = Mutex<String?>(nil)
    /// When set, every request is answered with this status (a server that rate-limits or is down).
    let status = Mutex<HTTPResponse.Status?>(nil)
    /// When set, documents are sent one byte per interval (a slow-drip server).
    let drip = Mutex<Duration?>(nil)

    func respond(to request: Request, context: Context) async throws -> Response {
        let path = request.uri.path
        hits.withLock { $0[path, default: 0] += 1 }
        let wait = delay.withLock { $0 }
        if wait > .zero { try await Task.sleep(for: wait) }
        if let pem = requiredSigner.withLock({ $0 }) {
            var signed = SignedRequest(method: "GET", path: request.head.path ?? path)
            signed.headers.add("Host", request.head.authority ?? "")
            for field in request.headers { signed.headers.add(field.name.rawName, field.value) }
            guard (try? SignatureVerifier.verify(signed, publicKeyPEM: pem)) != nil else { return Response(status: .unauthorized) }
        }
        if let status = status.withLock({ $0 }) { return Response(status: status) }
        guard let document = documents.withLock({ $0[path] }) else { return Response(status: .notFound) }
        if let interval = drip.withLock({ $0 }) {
            return Response(
                status: .ok,
                body: ResponseBody { writer in
                    for byte in document.utf8 {
                        try await writer.write(ByteBuffer(bytes: [byte]))
                        try await Task.sleep(for: interval)
                    }
                    try await writer.finish(nil)
                })
        }
        return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: document)))
    }

    func count(_ path: String) -> Int { hits.withLock { $0[path] ?? 0 } }
}

@Suite("Fetching actor keys")
struct KeyFetchTests {
    func withKeyServer(_ body: @Sendable (KeyServer, String) async throws -> Void) async throws {
        let server = KeyServer()
        let app = Application(responder: server, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            try await body(server, "http://127.0.0.1:\(try #require(client.port))")
        }
    }

    /// Fetches time out after 30 s unless a test says otherwise: with every suite running at once on two cores,
    /// the size-limit test failed once with 5 s (and passed alone), as the firewall test had before.
    func fetcher(
        allowPrivate: Bool = true, timeout: TimeInterval = 30, maxBytes: Int = 262_144, cacheBytes: Int = 16 << 20,
        refetchInterval: TimeInterval = 60, signer: KeyFetchConfiguration.Signer? = nil,
        resolver: any KeyHostResolver = SystemKeyHostResolver()
    ) -> HTTPKeyFetcher {
        HTTPKeyFetcher(
            client: HTTPClient.shared,
            configuration: KeyFetchConfiguration(
                allowPrivateAddresses: allowPrivate, timeout: timeout, maxBytes: maxBytes, cacheBytes: cacheBytes,
                refetchInterval: refetchInterval, signer: signer),
            resolver: resolver)
    }

    @Test func signsFetchesForServersThatRequireIt() async throws {
        try await withKeyServer { server, origin in
            let alice = try RemoteActor(id: "\(origin)/users/alice")
            let instance = try RemoteActor(id: "https://here.example/actor")
            server.documents.withLock { $0["/users/alice"] = alice.document }
            server.requiredSigner.withLock { $0 = instance.publicKeyPEM }
            do throws(KeyFetchError) {
                _ = try await fetcher().key(for: alice.keyID, refresh: false)
                Issue.record("an unsigned fetch was answered")
            } catch {
                #expect(error.code == .unreachable)
            }
            let signer = KeyFetchConfiguration.Signer(keyID: instance.keyID, privateKey: instance.privateKey)
            let key = try await fetcher(signer: signer).key(for: alice.keyID, refresh: false)
            #expect(key.owner == alice.id)
        }
    }

    @Test func fetchesTheKeyEmbeddedInTheActorAndCachesIt() async throws {
        try await withKeyServer { server, origin in
            let alice = try RemoteActor(id: "\(origin)/users/alice")
            server.documents.withLock { $0["/users/alice"] = alice.document }
            let keys = fetcher()
            let key = try await keys.key(for: alice.keyID, refresh: false)
            #expect(key.owner == alice.id)
            #expect(key.publicKeyPEM == alice.publicKeyPEM)
            #expect(key.actor?.preferredUsername == "tester")
            _ = try await keys.key(for: alice.keyID, refresh: false)
            #expect(server.count("/users/alice") == 1)
        }
    }

    @Test func refreshFetchesARotatedKey() async throws {
        try await withKeyServer { server, origin in
            let old = try RemoteActor(id: "\(origin)/users/alice")
            server.documents.withLock { $0["/users/alice"] = old.document }
            let keys = fetcher(refetchInterval: 0)
            _ = try await keys.key(for: old.keyID, refresh: false)
            let rotated = try RemoteActor(id: "\(origin)/users/alice")
            server.documents.withLock { $0["/users/alice"] = rotated.document }
            #expect(try await keys.key(for: old.keyID, refresh: false).publicKeyPEM == old.publicKeyPEM)
            #expect(try await keys.key(for: old.keyID, refresh: true).publicKeyPEM == rotated.publicKeyPEM)
        }
    }

    @Test func readsGoToSocialStyleKeyDocuments() async throws {
        try await withKeyServer { server, origin in
            let bob = try RemoteActor(id: "\(origin)/users/bob")
            let keyID = "\(origin)/users/bob/main-key"
            let pem = bob.publicKeyPEM.replacingOccurrences(of: "\n", with: "\\n")
            server.documents.withLock {
                $0["/users/bob/main-key"] = #"{"id":"\#(keyID)","owner":"\#(bob.id)","publicKeyPem":"\#(pem)"}"#
            }
            let key = try await fetcher().key(for: keyID, refresh: false)
            #expect(key.owner == bob.id)
            #expect(key.actor == nil)
        }
    }

    @Test func refusesLoopbackUnlessAllowed() async throws {
        try await withKeyServer { server, origin in
            let alice = try RemoteActor(id: "\(origin)/users/alice")
            server.documents.withLock { $0["/users/alice"] = alice.document }
            await #expect(throws: KeyFetchError.self) { try await fetcher(allowPrivate: false).key(for: alice.keyID, refresh: false) }
            do throws(KeyFetchError) {
                _ = try await fetcher(allowPrivate: false).key(for: alice.keyID, refresh: false)
            } catch {
                #expect(error.code == .forbiddenAddress)
            }
            #expect(server.count("/users/alice") == 0)
        }
    }

    @Test func limitsSizeAndTime() async throws {
        try await withKeyServer { server, origin in
            let alice = try RemoteActor(id: "\(origin)/users/alice")
            server.documents.withLock { $0["/users/alice"] = alice.document }
            do throws(KeyFetchError) {
                _ = try await fetcher(maxBytes: 512).key(for: alice.keyID, refresh: false)
                Issue.record("a document over the size limit was accepted")
            } catch {
                #expect(error.code == .tooLarge)
            }
            server.delay.withLock { $0 = .seconds(20) }
            let started = ContinuousClock.now
            do throws(KeyFetchError) {
                _ = try await fetcher(timeout: 0.5).key(for: alice.keyID, refresh: false)
                Issue.record("a slow key server did not time out")
            } catch {
                #expect(error.code == .unreachable)
            }
            // Well before the server's 20 s delay, with room for a loaded machine.
            #expect(ContinuousClock.now - started < .seconds(15))
        }
    }

    @Test func aMissingKeyIsRememberedBriefly() async throws {
        try await withKeyServer { server, origin in
            let keys = fetcher()
            for _ in 0..<3 {
                do throws(KeyFetchError) {
                    _ = try await keys.key(for: "\(origin)/users/ghost#main-key", refresh: false)
                    Issue.record("a missing key was found")
                } catch {
                    #expect(error.code == .unreachable)
                }
            }
            #expect(server.count("/users/ghost") == 1)
        }
    }

    @Test(arguments: [
        (#"{"id":"https://a.example/users/x","type":"Person","publicKey":{"id":"https://a.example/users/x#main-key","owner":"https://b.example/users/y","publicKeyPem":"-----BEGIN PUBLIC KEY-----"}}"#, KeyFetchError.Code.ownerMismatch),
        (#"{"id":"https://a.example/users/x","type":"Person"}"#, .keyNotFound),
        (#"{"id":"https://a.example/users/x","type":"Person","publicKey":{"id":"https://a.example/users/x#main-key","owner":"https://a.example/users/x"}}"#, .badDocument),
        (#"[1]"#, .badDocument),
    ])
    func rejectsUnusableKeyDocuments(document: String, code: KeyFetchError.Code) throws {
        let value = try JSONValue.parse(document)
        #expect(throws: KeyFetchError.self) {
            _ = try ActorKey.read(value, keyID: "https://a.example/users/x#main-key", fetchedAt: Date())
        }
        do throws(KeyFetchError) {
            _ = try ActorKey.read(value, keyID: "https://a.example/users/x#main-key", fetchedAt: Date())
        } catch {
            #expect(error.code == code)
        }
    }

    @Test(arguments: [
        ("127.0.0.1", false), ("10.1.2.3", false), ("172.16.0.1", false), ("172.32.0.1", true), ("192.168.1.1", false),
        ("169.254.1.1", false), ("100.64.0.1", false), ("0.0.0.0", false), ("192.0.0.8", false), ("192.0.2.1", false),
        ("198.51.100.7", false), ("203.0.113.9", false), ("198.18.0.1", false), ("224.0.0.1", false),
        ("240.0.0.1", false), ("255.255.255.255", false), ("93.184.216.34", true),
        ("::", false), ("::1", false), ("[::127.0.0.1]", false), ("::93.184.216.34", false),
        ("::ffff:192.168.0.1", false), ("::ffff:93.184.216.34", true), ("fe80::1", false), ("fd12::1", false),
        ("fec0::1", false), ("ff02::1", false), ("2001:db8::1", false), ("3fff::1", false), ("2001::1", false),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", false), ("64:ff9b::10.0.0.1", false), ("64:ff9b::93.184.216.34", true),
        ("64:ff9b:1::93.184.216.34", false), ("2002:0a00:0001::1", false), ("2002:5db8:d822::1", true),
        ("100::1", false), ("2606:4700::1", true), ("2a01:4f8::1", true),
    ] as [(String, Bool)])
    func tellsPublicAddresses(address: String, isPublic: Bool) throws {
        #expect(AddressPolicy.isPublic(try #require(IPAddress(address))) == isPublic)
    }

    @Test func readsAndWritesAddresses() throws {
        #expect(try #require(IPAddress("[2001:DB8::1]")).description == "2001:db8::1")
        #expect(try #require(IPAddress("192.0.2.1")).bytes == [192, 0, 2, 1])
        #expect(IPAddress("example.com") == nil)
        #expect(IPAddress("1.2.3") == nil)
    }
}

/// Key rotation as the gate sees it: a cached key that no longer verifies is fetched again once.
@Suite("Signature verification in the gate")
struct GateSignatureTests {
    final class RotatingKeys: ActorKeyResolver {
        let stale: ActorKey
        let fresh: ActorKey
        let refreshes = Mutex(0)

        init(stale: ActorKey, fresh: ActorKey) {
            self.stale = stale
            self.fresh = fresh
        }

        func key(for keyID: String, refresh: Bool) async throws(KeyFetchError) -> ActorKey {
            if refresh { refreshes.withLock { $0 += 1 } }
            return refresh ? fresh : stale
        }
    }

    @Test func aRotatedKeyIsFetchedAgainOnce() async throws {
        let before = try RemoteActor(id: "https://remote.example/users/alice")
        let after = try RemoteActor(id: "https://remote.example/users/alice")
        let keys = RotatingKeys(stale: before.key(), fresh: after.key())
        let server = try TestServer(keys: keys)
        let gate = Gate(
            engines: server.components.engines, reputation: nil, cases: server.cases, keys: keys, signatureMode: .enforce,
            metrics: ServerMetrics(), logger: Logger(label: "test"))
        let signed = try after.signedPost(path: "/inbox", host: "here.example", body: after.note("hi"))
        let (check, _) = await gate.verifySignature(of: signed, now: Date())
        #expect(check.signer == after.id)
        #expect(keys.refreshes.withLock { $0 } == 1)

        let forged = try RemoteActor(id: "https://remote.example/users/alice")
        let (failed, _) = await gate.verifySignature(
            of: try forged.signedPost(path: "/inbox", host: "here.example", body: forged.note("hi")), now: Date())
        #expect(failed.status == .failed)
        #expect(keys.refreshes.withLock { $0 } == 2)
    }
}
