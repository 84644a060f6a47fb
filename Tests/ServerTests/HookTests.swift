import Intake
import Access
import ActivityPub
import Configuration
import Foundation
import HTTPTypes
import HerdwatchServer
import Hummingbird
import Logging
import HummingbirdTesting
import NIOCore
import ReviewQueue
import Testing

@Suite("POST /api/v1/check")
struct HookTests {
    let actor: RemoteActor

    init() throws {
        actor = try RemoteActor(id: "https://remote.example/users/alice")
    }

    private func post(
        _ client: some TestClientProtocol, _ body: String, token: String?
    ) async throws -> (HTTPResponse.Status, String) {
        var headers: HTTPFields = [.contentType: "application/activity+json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        let response = try await client.execute(uri: "/api/v1/check", method: .post, headers: headers, body: ByteBuffer(string: body))
        return (response.status, String(buffer: response.body))
    }

    @Test func refusesRequestsWithoutAValidToken() async throws {
        let server = try TestServer()
        let moderatorOnly = try await server.token([.moderate])
        let app = HerdwatchApplication.make(server.components)
        try await app.test(.router) { client in
            let (missing, missingBody) = try await post(client, actor.note("hello"), token: nil)
            #expect(missing == .unauthorized)
            #expect(try json(missingBody)["error"] as? String ?? "" != "")
            let (unknown, _) = try await post(client, actor.note("hello"), token: "hw_not-a-real-token")
            #expect(unknown == .unauthorized)
            let (wrongScope, wrongBody) = try await post(client, actor.note("hello"), token: moderatorOnly)
            #expect(wrongScope == .forbidden)
            #expect((try json(wrongBody)["error"] as? String)?.contains("token create --scope check") == true)
        }
    }

    @Test func readsTheBearerSchemeInAnyCaseWithSpacesAroundTheToken() async throws {
        let server = try TestServer()
        let secret = try await server.token([.check])
        let app = HerdwatchApplication.make(server.components)
        try await app.test(.router) { client in
            for header in ["Bearer \(secret)", "bearer \(secret)", "BEARER  \(secret) ", "Bearer \t\(secret)"] {
                let response = try await client.execute(
                    uri: "/api/v1/check", method: .post, headers: [.authorization: header], body: ByteBuffer(string: actor.note("hello")))
                #expect(response.status == .ok, "\(header)")
            }
            for header in ["Bearer", "Bearer   ", "Basic \(secret)", "Bearer\(secret)", secret] {
                let response = try await client.execute(
                    uri: "/api/v1/check", method: .post, headers: [.authorization: header], body: ByteBuffer(string: actor.note("hello")))
                #expect(response.status == .unauthorized, "\(header)")
            }
        }
    }

    @Test func revokedTokensStopWorking() async throws {
        let server = try TestServer()
        let issued = try await server.access.issueToken(name: "hook", scopes: [.check])
        #expect(try await server.access.store.revokeToken(id: issued.token.id, at: Date()))
        let app = HerdwatchApplication.make(server.components)
        try await app.test(.router) { client in
            let (status, _) = try await post(client, actor.note("hello"), token: issued.secret)
            #expect(status == .unauthorized)
        }
    }

    @Test(arguments: [("hello there", "accept"), ("FLAGME please", "flag"), ("HOLDME now", "hold"), ("REJECTME", "reject")])
    func answersTheVerdictWithItsExplanation(text: String, action: String) async throws {
        let server = try TestServer()
        let token = try await server.token([.check])
        let app = HerdwatchApplication.make(server.components)
        try await app.test(.router) { client in
            let (status, body) = try await post(client, actor.note(text), token: token)
            #expect(status == .ok)
            let verdict = try json(body)
            #expect(verdict["action"] as? String == action)
            let hits = try #require(verdict["hits"] as? [[String: Any]])
            #expect(hits.isEmpty == (action == "accept"))
            #expect((verdict["signature"] as? [String: Any])?["status"] as? String == "unsigned")
            let opened = verdict["case"] as? [String: Any]
            #expect((opened != nil) == (action == "flag" || action == "hold"))
        }
        let stored = try await server.cases.cases(state: nil, limit: 10)
        if action == "flag" || action == "hold" {
            #expect(stored.count == 1)
            #expect(stored.first?.source == .hook)
        } else {
            #expect(stored.isEmpty)
        }
    }

    @Test func aRepeatedDeliveryJoinsTheFirstCase() async throws {
        let server = try TestServer()
        let token = try await server.token([.check])
        let note = actor.note("HOLDME", id: "https://remote.example/activities/1")
        let app = HerdwatchApplication.make(server.components)
        try await app.test(.router) { client in
            let (_, first) = try await post(client, note, token: token)
            let (_, second) = try await post(client, note, token: token)
            let firstCase = try #require(try json(first)["case"] as? [String: Any])
            let secondCase = try #require(try json(second)["case"] as? [String: Any])
            #expect(firstCase["id"] as? Int == secondCase["id"] as? Int)
            #expect(secondCase["existing"] as? Bool == true)
            #expect(try json(second)["duplicate"] as? Bool == true)
        }
        let stored = try await server.cases.cases(state: nil, limit: 10)
        #expect(stored.count == 1)
        #expect(stored.first?.duplicateDeliveries == 1)
    }

    @Test func acceptsTheCheckEnvelopeWithACallerVouchedSignature() async throws {
        let server = try TestServer()
        let token = try await server.token([.check])
        let envelope = """
            {"id": "line-7", "activity": \(actor.note("hi")), "signature": "verified"}
            """
        let app = HerdwatchApplication.make(server.components)
        try await app.test(.router) { client in
            let (status, body) = try await post(client, envelope, token: token)
            #expect(status == .ok)
            let verdict = try json(body)
            #expect(verdict["id"] as? String == "line-7")
            #expect((verdict["signature"] as? [String: Any])?["status"] as? String == "verified")
        }
    }

    @Test func verifiesTheOriginalDeliveryWhenTheEnvelopeCarriesIt() async throws {
        let server = try TestServer(keys: StaticKeys(keys: [actor.keyID: actor.key()]))
        let token = try await server.token([.check])
        let body = actor.note("hi")
        let signed = try actor.signedPost(path: "/users/bob/inbox", host: "here.example", body: body)
        let headers = Dictionary(signed.headers.fields.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        @Sendable func envelope(_ body: String) throws -> String {
            let object: [String: Any] = ["headers": headers, "body": body, "path": "/users/bob/inbox"]
            return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        }
        let app = HerdwatchApplication.make(server.components)
        try await app.test(.router) { client in
            let (_, good) = try await post(client, try envelope(body), token: token)
            let goodSignature = try #require(try json(good)["signature"] as? [String: Any])
            #expect(goodSignature["status"] as? String == "verified")
            #expect(goodSignature["signer"] as? String == actor.id)
            let (_, tampered) = try await post(client, try envelope(body.replacingOccurrences(of: "hi", with: "buy")), token: token)
            let badSignature = try #require(try json(tampered)["signature"] as? [String: Any])
            #expect(badSignature["status"] as? String == "failed")
            #expect((badSignature["reason"] as? String)?.contains("digestMismatch") == true)
        }
    }

    @Test(arguments: ["not json", "[1, 2]", "{\"actor\": \"https://remote.example/users/a\"}"])
    func malformedInputGetsAClearError(body: String) async throws {
        let server = try TestServer()
        let token = try await server.token([.check])
        let app = HerdwatchApplication.make(server.components)
        try await app.test(.router) { client in
            let (status, text) = try await post(client, body, token: token)
            #expect(status == .badRequest)
            let error = try json(text)
            #expect(error["code"] as? String == "bad_activity")
            #expect((error["error"] as? String)?.contains("$") == true)
        }
    }

    @Test func oversizedBodiesAreRefused() async throws {
        let server = try TestServer(values: ["proxy.maxBodyBytes": 4096])
        let token = try await server.token([.check])
        let app = HerdwatchApplication.make(server.components)
        try await app.test(.router) { client in
            let (status, text) = try await post(client, actor.note(String(repeating: "a", count: 5000)), token: token)
            #expect(status == .contentTooLarge)
            #expect(try json(text)["code"] as? String == "too_large")
        }
    }

    @Test func metricsCountVerdicts() async throws {
        let server = try TestServer()
        let token = try await server.token([.check])
        let app = HerdwatchApplication.make(server.components)
        try await app.test(.router) { client in
            _ = try await post(client, actor.note("HOLDME"), token: token)
            _ = try await post(client, actor.note("fine"), token: token)
            _ = try await post(client, actor.note("also fine"), token: token)
            let response = try await client.execute(uri: "/metrics", method: .get)
            let text = String(buffer: response.body)
            #expect(response.status == .ok)
            #expect(text.contains(#"herdwatch_activities_total{action="hold"} 1"#))
            #expect(text.contains(#"herdwatch_activities_total{action="accept"} 2"#))
            #expect(text.contains(#"herdwatch_cases_opened_total{action="hold"} 1"#))
        }
    }
}

@Suite("Repeated deliveries")
struct RepeatedDeliveryTests {
    @Test func aKnownIdWithAnotherBodyIsEvaluatedAgain() async throws {
        let actor = try RemoteActor(id: "https://remote.example/users/alice")
        let server = try TestServer()
        let token = try await server.token([.check])
        let id = "https://remote.example/activities/claimed"
        let app = HerdwatchApplication.make(server.components)
        try await app.test(.router) { client in
            for (text, action, duplicate) in [("hello", "accept", false), ("HOLDME", "hold", false), ("HOLDME", "hold", true)] {
                let response = try await client.execute(
                    uri: "/api/v1/check", method: .post, headers: [.authorization: "Bearer \(token)"],
                    body: ByteBuffer(string: actor.note(text, id: id)))
                let verdict = try json(String(buffer: response.body))
                #expect(verdict["action"] as? String == action, "\(text)")
                #expect(verdict["duplicate"] as? Bool == duplicate, "\(text)")
            }
        }
    }

    @Test func aRefusedDeliveryDoesNotDecideTheSignedOne() async throws {
        let alice = try RemoteActor(id: "https://remote.example/users/alice")
        let server = try TestServer(keys: StaticKeys(keys: [alice.keyID: alice.key()]))
        let gate = Gate(
            engines: server.components.engines, reputation: nil, cases: server.cases, keys: StaticKeys(keys: [alice.keyID: alice.key()]),
            signatureMode: .enforce, metrics: ServerMetrics(), logger: Logger(label: "test"))
        let body = alice.note("HOLDME", id: "https://remote.example/activities/spam")
        let signed = try alice.signedPost(path: "/inbox", host: "here.example", body: body)
        var headers = signed.headers.fields.map { (name: $0.name, value: $0.value) }
        let unsigned = headers.filter { $0.name.lowercased() != "signature" }
        let refused = await gate.inbox(Gate.Delivery(method: "POST", target: "/inbox", headers: unsigned, body: Array(body.utf8)))
        #expect(refused.disposition == .refuse(status: 401, error: GateError(.signatureRejected, "the request is not signed; inbox deliveries must carry an HTTP signature")))
        headers = signed.headers.fields.map { (name: $0.name, value: $0.value) }
        let admitted = await gate.inbox(Gate.Delivery(method: "POST", target: "/inbox", headers: headers, body: Array(body.utf8)))
        #expect(admitted.disposition == .withhold)
        #expect(!admitted.duplicate)
        #expect(try await server.cases.cases(state: .open, limit: 10).count == 1)
    }
}
