import Intake
import Access
import ActivityPub
import Configuration
import Foundation
import HTTPTypes
@testable import HerdwatchServer
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Reputation
import ReviewQueue
import RuleEngine
import Testing

/// The inbox path as an attacker meets it: who is refused before any work, what a refusal may change
/// (nothing but metrics), and whose word a verdict, a case or a decision is booked on.
@Suite("Inbox security")
struct InboxSecurityTests {
    let alice: RemoteActor
    let mallory: RemoteActor
    let host = "social.example"

    init() throws {
        alice = try RemoteActor(id: "https://remote.example/users/alice")
        mallory = try RemoteActor(id: "https://evil.example/users/mallory")
    }

    struct Fixture {
        let gate: Gate
        let cases: InMemoryCaseStore
        let store: InMemoryReputationStore
        let reputation: Reputation
    }

    func fixture(
        mode: ServerConfiguration.SignatureMode = .enforce, foreignSigner: ServerConfiguration.ForeignSignerPolicy = .refuse
    ) throws -> Fixture {
        let store = InMemoryReputationStore()
        let reputation = Reputation(store: store)
        let cases = InMemoryCaseStore()
        let keys = StaticKeys(keys: [alice.keyID: alice.key(), mallory.keyID: mallory.key()])
        let gate = Gate(
            engines: RuleEngineHolder(try TestRules.engine()), reputation: reputation, cases: cases, keys: keys,
            signatureMode: mode, foreignSigner: foreignSigner, metrics: ServerMetrics(), logger: Logger(label: "test"))
        return Fixture(gate: gate, cases: cases, store: store, reputation: reputation)
    }

    func delivery(_ request: SignedRequest, body: [UInt8]? = nil) -> Gate.Delivery {
        Gate.Delivery(
            method: request.method, target: request.path, headers: request.headers.fields.map { ($0.name, $0.value) },
            body: body ?? request.body)
    }

    func unsigned(_ body: [UInt8]) -> Gate.Delivery {
        Gate.Delivery(
            method: "POST", target: "/inbox", headers: [("Host", host), ("Content-Type", "application/activity+json")], body: body)
    }

    /// The activity `text` by `author`, with the given id.
    func note(_ text: String, by author: RemoteActor, id: String) -> String {
        author.note(text, id: id)
    }

    func refusal(_ outcome: Gate.Outcome) -> (status: Int, code: GateError.Code)? {
        if case .refuse(let status, let error) = outcome.disposition { return (status, error.code) }
        return nil
    }

    @Test func anUnsignedBodyIsRefusedBeforeItIsParsed() async throws {
        let fixture = try fixture()
        // Not even JSON: parsing first would answer 400 bad_activity; verifying first answers 401.
        let outcome = await fixture.gate.inbox(unsigned(Array("{\"type\": ".utf8)))
        #expect(refusal(outcome)?.status == 401)
        #expect(refusal(outcome)?.code == .signatureRejected)
        // A tampered body is refused for its digest, before its text is looked at.
        let signed = try alice.signedPost(path: "/inbox", host: host, body: note("hello", by: alice, id: "https://remote.example/a/1"))
        let tampered = await fixture.gate.inbox(delivery(signed, body: Array("not json at all".utf8)))
        #expect(refusal(tampered)?.status == 401)
    }

    @Test func refusedDeliveriesChangeNoReputationAndStoreNothing() async throws {
        let fixture = try fixture()
        let text = "Join our amazing giveaway at the usual place FLAGME"
        for index in 0..<20 {
            let forger = "https://spam\(index).example/users/bot\(index)"
            let body = """
                {"id":"https://spam\(index).example/a/\(index)","type":"Create","actor":"\(forger)","object":{"id":"https://spam\(index).example/n/\(index)","type":"Note","attributedTo":"\(forger)","content":"<p>\(text)</p>"}}
                """
            let outcome = await fixture.gate.inbox(unsigned(Array(body.utf8) + Array(repeating: 0x20, count: 4096)))
            #expect(refusal(outcome)?.status == 401)
            #expect(outcome.verdict == nil)
        }
        try fixture.reputation.flush()
        #expect(try fixture.store.observations(limit: 100).isEmpty)
        #expect(try fixture.store.actors((0..<20).map { "https://spam\($0).example/users/bot\($0)" }).isEmpty)
        #expect(try fixture.store.domains((0..<20).map { "spam\($0).example" }).isEmpty)
        #expect(try await fixture.cases.cases(state: nil, limit: 100).isEmpty)

        // A real user's signed post of the same text is judged on its own, and is the only thing recorded.
        let real = try alice.signedPost(path: "/inbox", host: host, body: note(text, by: alice, id: "https://remote.example/a/real"))
        let outcome = await fixture.gate.inbox(delivery(real))
        #expect(outcome.verdict?.action == .flag)
        try fixture.reputation.flush()
        #expect(try fixture.store.observations(limit: 100).map(\.actorID) == [alice.id])
    }

    @Test func aDeliverySignedByAnotherActorIsRefusedByDefault() async throws {
        let fixture = try fixture()
        let forged = try mallory.signedPost(
            path: "/inbox", host: host, body: note("HOLDME totally me", by: alice, id: "https://remote.example/a/forged"))
        let outcome = await fixture.gate.inbox(delivery(forged))
        #expect(refusal(outcome)?.status == 401)
        #expect(refusal(outcome)?.code == .foreignSigner)
        try fixture.reputation.flush()
        #expect(try fixture.store.observations(limit: 10).isEmpty)
        #expect(try fixture.store.actors([alice.id, mallory.id]).isEmpty)
        #expect(try await fixture.cases.cases(state: nil, limit: 10).isEmpty)
    }

    @Test func aReSignedCopyNeitherPlantsAVerdictNorJoinsTheRealCase() async throws {
        let fixture = try fixture(foreignSigner: .evaluate)
        let id = "https://remote.example/a/shared"
        let body = note("hello friends", by: alice, id: id)
        // Mallory re-signs alice's exact bytes first: evaluated as unsigned with a mismatch, which the test rules hold.
        let resigned = await fixture.gate.inbox(delivery(try mallory.signedPost(path: "/inbox", host: host, body: body)))
        #expect(resigned.verdict?.action == .hold)
        #expect(resigned.verdict?.hits.map(\.rule) == ["test.signer-not-actor"])
        #expect(resigned.signature.status == .verified)
        // Alice's real delivery of the same bytes is evaluated afresh, not answered from mallory's verdict.
        let real = await fixture.gate.inbox(delivery(try alice.signedPost(path: "/inbox", host: host, body: body)))
        #expect(real.duplicate == false)
        #expect(real.verdict?.action == .accept)
        #expect(real.disposition == .forward)
        // The held case names the one who signed it.
        let held = try await #require(try fixture.cases.cases(activityID: id).first)
        #expect(held.signer == mallory.id)
        #expect(held.actorID == alice.id)
    }

    @Test func anotherBodyUnderSomeoneElsesIdOpensACaseOfItsOwn() async throws {
        let fixture = try fixture()
        let id = "https://remote.example/a/held"
        let real = try alice.signedPost(path: "/inbox", host: host, body: note("HOLDME for review", by: alice, id: id))
        let first = await fixture.gate.inbox(delivery(real))
        #expect(first.verdict?.action == .hold)
        // Mallory signs a different body under alice's activity id (as its own actor, so it is not refused).
        let squat = try mallory.signedPost(path: "/inbox", host: host, body: note("HOLDME but mine", by: mallory, id: id))
        let second = await fixture.gate.inbox(delivery(squat))
        #expect(second.verdict?.action == .hold)
        #expect(second.duplicate == false)
        // A true repeat of alice's delivery joins her case.
        let repeated = await fixture.gate.inbox(delivery(real))
        #expect(repeated.duplicate)

        let cases = try await fixture.cases.cases(activityID: id)
        #expect(cases.count == 2)
        let alicesCase = try #require(cases.first { $0.signer == alice.id })
        let mallorysCase = try #require(cases.first { $0.signer == mallory.id })
        // Each case keeps the request that was held, so approving alice's replays alice's bytes.
        #expect(alicesCase.request?.body == real.body)
        #expect(alicesCase.duplicateDeliveries == 1)
        #expect(mallorysCase.request?.body == squat.body)
        #expect(mallorysCase.duplicateDeliveries == 0)
    }

    @Test func theSignersDocumentIsNotTheAuthorsProfile() async throws {
        // A key whose actor document is mallory's, old and with an avatar: used as alice's profile it would
        // make her look established.
        var document = try JSONValue.parse(Array(mallory.document.utf8))
        if case .object(var members) = document {
            members["published"] = .string("2012-01-01T00:00:00Z")
            document = .object(members)
        }
        var key = mallory.key()
        key.actor = try Actor(json: document)
        let gate = Gate(
            engines: RuleEngineHolder(
                try TestRules.engine(
                    """
                    rules:
                      - id: test.new-account
                        description: Held when the author's account is under a day old or unknown
                        types: [Create]
                        when: {not: {field: actor.age_hours, gte: 24}}
                        action: hold
                    """)),
            reputation: nil, cases: InMemoryCaseStore(), keys: StaticKeys(keys: [mallory.keyID: key]),
            signatureMode: .enforce, foreignSigner: .evaluate, metrics: ServerMetrics(), logger: Logger(label: "test"))
        let forged = try mallory.signedPost(path: "/inbox", host: host, body: note("hi", by: alice, id: "https://remote.example/a/p"))
        let outcome = await gate.inbox(delivery(forged))
        #expect(outcome.verdict?.action == .hold)
        // The signer's own delivery does get its profile.
        let own = try mallory.signedPost(path: "/inbox", host: host, body: note("hi", by: mallory, id: "https://evil.example/a/p"))
        #expect(await gate.inbox(delivery(own)).verdict?.action == .accept)
    }

    @Test func aCreateWhoseObjectIsOnlyAURLIsNeverAcceptedUnseen() async throws {
        let fixture = try fixture()
        func activity(_ type: String, object: String) -> String {
            #"{"id":"https://remote.example/a/\#(UUID().uuidString)","type":"\#(type)","actor":"\#(alice.id)","object":\#(object)}"#
        }
        let cases: [(String, String, RuleAction)] = [
            ("Create", #""https://remote.example/notes/1""#, .hold),
            ("Update", #""https://remote.example/notes/1""#, .hold),
            ("Create", #"["https://remote.example/notes/2"]"#, .hold),
            // An embedded post is looked at; a boost names what it boosts by URL, as every server does.
            ("Create", #"{"id":"https://remote.example/notes/3","type":"Note","content":"hi"}"#, .accept),
            ("Announce", #""https://remote.example/notes/4""#, .accept),
        ]
        for (type, object, expected) in cases {
            let signed = try alice.signedPost(path: "/inbox", host: host, body: activity(type, object: object))
            let outcome = await fixture.gate.inbox(delivery(signed))
            #expect(outcome.verdict?.action == expected, "\(type) \(object)")
            if expected == .hold {
                #expect(outcome.verdict?.hits.map(\.rule) == ["herdwatch.unseen-object"])
                #expect(outcome.disposition == .withhold)
            }
        }
    }

    @Test func decisionsAreBookedOnTheVerifiedSignerAndRecordWhoMadeThem() async throws {
        let server = try TestServer(values: ["signatures.foreignSigner": "evaluate"], keys: StaticKeys(keys: [mallory.keyID: mallory.key()]))
        let hook = try await server.token([.check])
        let moderator = try await server.access.issueToken(name: "alex", scopes: [.moderate])
        let app = HerdwatchApplication.make(server.components)
        let signed = try mallory.signedPost(
            path: "/inbox", host: host, body: note("HOLDME", by: alice, id: "https://remote.example/a/decided"))
        let envelope: [String: Any] = [
            "body": String(decoding: signed.body, as: UTF8.self),
            "headers": Dictionary(signed.headers.fields.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }),
            "path": "/inbox",
        ]
        let envelopeBody = try JSONSerialization.data(withJSONObject: envelope)
        try await app.test(.router) { client in
            let checked = try await client.execute(
                uri: "/api/v1/check", method: .post, headers: [.authorization: "Bearer \(hook)"],
                body: ByteBuffer(bytes: envelopeBody))
            #expect(checked.status == .ok)
            let verdict = try json(String(buffer: checked.body))
            let caseID = try #require((verdict["case"] as? [String: Any])?["id"] as? Int)
            let rejected = try await client.execute(
                uri: "/herdwatch/api/v1/cases/\(caseID)/reject", method: .post,
                headers: [.authorization: "Bearer \(moderator.secret)"])
            #expect(rejected.status == .ok)
            let decided = try json(String(buffer: rejected.body))
            #expect(decided["signer"] as? String == mallory.id)
            #expect(decided["decided_by"] as? String == "token \(moderator.token.id) (alex)")
        }
        try #require(server.components.reputation).flush()
        let actors = try server.reputationStore.actors([alice.id, mallory.id])
        #expect((actors[mallory.id]?.confirmedSpam.value ?? 0) > 0)
        #expect((actors[alice.id]?.confirmedSpam.value ?? 0) == 0)
    }
}
