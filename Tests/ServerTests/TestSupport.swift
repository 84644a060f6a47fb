import Access
import ActivityPub
import AsyncHTTPClient
import Configuration
import Foundation
import HerdwatchServer
import HerdwatchTestSupport
import Logging
import Reputation
import ReviewQueue
import RuleEngine
import Testing
import _CryptoExtras

/// Rules that give each action on a marker word, so tests choose the verdict with the text.
enum TestRules {
    static let yaml = """
        rules:
          - id: test.hold
            description: Held on the word HOLDME
            types: [Create]
            when: {regex: 'holdme'}
            action: hold
          - id: test.reject
            description: Rejected on the word REJECTME
            types: [Create]
            when: {regex: 'rejectme'}
            action: reject
          - id: test.flag
            description: Flagged on the word FLAGME
            types: [Create]
            when: {regex: 'flagme'}
            action: flag
          - id: test.signer-not-actor
            description: Held when the signer is not the actor
            types: [Create]
            when: {field: signature.actor_mismatch, gte: 1}
            action: hold
        """

    /// A temporary rule directory with `yaml` (these test rules by default).
    static func directory(_ yaml: String = yaml) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("herdwatch-rules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try yaml.write(to: directory.appendingPathComponent("test.yaml"), atomically: true, encoding: .utf8)
        return directory.path
    }

    static func engine(_ yaml: String = yaml) throws -> RuleEngine {
        RuleEngine(ruleSet: try RuleSet.load(directory: try directory(yaml)))
    }

    /// The repository's default rule set (`Rules/`).
    static func defaultEngine() throws -> RuleEngine {
        RuleEngine(ruleSet: try RuleSet.load(directory: CLI.root.appendingPathComponent("Rules").path))
    }
}

/// A remote actor with an RSA key, as a fediverse server would have.
struct RemoteActor: Sendable {
    let id: String
    let keyID: String
    let privateKey: _RSA.Signing.PrivateKey

    init(id: String) throws {
        self.id = id
        keyID = id + "#main-key"
        privateKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
    }

    var publicKeyPEM: String { privateKey.publicKey.pemRepresentation }

    /// The actor document, with the key embedded the way Mastodon publishes it.
    var document: String {
        let pem = publicKeyPEM.replacingOccurrences(of: "\n", with: "\\n")
        return """
            {"@context":["https://www.w3.org/ns/activitystreams","https://w3id.org/security/v1"],"id":"\(id)","type":"Person","preferredUsername":"tester","inbox":"\(id)/inbox","publicKey":{"id":"\(keyID)","owner":"\(id)","publicKeyPem":"\(pem)"}}
            """
    }

    func key() -> ActorKey {
        ActorKey(keyID: keyID, owner: id, publicKeyPEM: publicKeyPEM, actor: nil, fetchedAt: Date())
    }

    /// A `Create{Note}` by this actor.
    func note(_ text: String, id activityID: String = "https://remote.example/activities/\(UUID().uuidString)") -> String {
        """
        {"@context":"https://www.w3.org/ns/activitystreams","id":"\(activityID)","type":"Create","actor":"\(id)","to":["https://www.w3.org/ns/activitystreams#Public"],"object":{"id":"\(activityID)/object","type":"Note","attributedTo":"\(id)","content":"<p>\(text)</p>","to":["https://www.w3.org/ns/activitystreams#Public"]}}
        """
    }

    /// Signs an inbox POST the way Mastodon does (cavage, `(request-target) host date digest content-type`).
    func signedPost(path: String, host: String, body: String, date: Date = Date()) throws -> SignedRequest {
        var request = SignedRequest(
            method: "POST", path: path, headers: ["Host": host, "Content-Type": "application/activity+json"], body: Array(body.utf8))
        try CavageSigner.sign(&request, keyId: keyID, privateKey: privateKey, now: date)
        return request
    }
}

extension RemoteActor {
    /// Signs an inbox POST with RFC 9421 (`@method @target-uri content-digest date`).
    func signedPostRFC9421(path: String, host: String, body: String) throws -> SignedRequest {
        var request = SignedRequest(
            method: "POST", path: path, headers: ["Host": host, "Content-Type": "application/activity+json"], body: Array(body.utf8))
        try RFC9421Signer.sign(&request, keyId: keyID, privateKey: privateKey)
        return request
    }
}

/// Keys known in advance, for tests without a key server.
struct StaticKeys: ActorKeyResolver {
    var keys: [String: ActorKey]

    func key(for keyID: String, refresh: Bool) async throws(KeyFetchError) -> ActorKey {
        guard let key = keys[keyID] else { throw KeyFetchError(.unreachable, "the key's server answered 404") }
        return key
    }
}

/// Server components on in-memory stores.
struct TestServer {
    let components: ServerComponents
    let access: AccessControl
    let cases: InMemoryCaseStore
    let reputationStore = InMemoryReputationStore()

    init(
        values: [AbsoluteConfigKey: ConfigValue] = [:], keys: (any ActorKeyResolver)? = StaticKeys(keys: [:]),
        reputation: Bool = true
    ) throws {
        var settings: [AbsoluteConfigKey: ConfigValue] = ["http.port": 0, "database.path": "/nonexistent/unused.sqlite"]
        for (key, value) in values { settings[key] = value }
        let configuration = try ServerConfiguration(reader: ConfigReader(provider: InMemoryProvider(values: settings)))
        access = AccessControl(store: InMemoryAccessStore(), passwordCost: 4)
        cases = InMemoryCaseStore()
        components = ServerComponents(
            configuration: configuration, engines: RuleEngineHolder(try TestRules.engine()),
            reputation: reputation ? Reputation(store: reputationStore) : nil, cases: cases, access: access,
            keys: keys, httpClient: HTTPClient.shared, ownsHTTPClient: false, logger: Logger(label: "test"))
    }

    func token(_ scopes: Set<AccessScope>) async throws -> String {
        try await access.issueToken(name: "test", scopes: scopes).secret
    }
}

func json(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
}
