import Access
import Foundation
import HTTPTypes
import HerdwatchServer
import Hummingbird
import HummingbirdTesting
import Intake
import NIOCore
import ReviewQueue
import Testing

@Suite("Case API")
struct CaseAPITests {
    let actor: RemoteActor

    init() throws {
        actor = try RemoteActor(id: "https://remote.example/users/alice")
    }

    @Test func listsShowsAndDecidesCases() async throws {
        let server = try TestServer()
        let check = try await server.token([.check])
        let moderate = try await server.token([.moderate])
        let app = HerdwatchApplication.make(server.components)
        try await app.test(.router) { client in
            for text in ["HOLDME one", "FLAGME two", "fine three"] {
                _ = try await client.execute(
                    uri: "/api/v1/check", method: .post, headers: [.authorization: "Bearer \(check)"],
                    body: ByteBuffer(string: actor.note(text)))
            }
            let denied = try await client.execute(
                uri: "/herdwatch/api/v1/cases", method: .get, headers: [.authorization: "Bearer \(check)"])
            #expect(denied.status == .forbidden)

            let auth: HTTPFields = [.authorization: "Bearer \(moderate)"]
            let list = try json(
                String(
                    buffer: try await client.execute(uri: "/herdwatch/api/v1/cases", method: .get, headers: auth).body))
            let cases = try #require(list["cases"] as? [[String: Any]])
            #expect(cases.map { $0["action"] as? String } == ["hold", "flag"])
            #expect((list["counts"] as? [String: Int])?["open"] == 2)
            let heldID = try #require(cases.first?["id"] as? Int)
            let flaggedID = try #require(cases.last?["id"] as? Int)

            let detail = try await client.execute(uri: "/herdwatch/api/v1/cases/\(heldID)", method: .get, headers: auth)
            let shown = try json(String(buffer: detail.body))
            #expect((shown["activity"] as? String)?.contains("HOLDME one") == true)
            #expect(
                ((shown["verdict"] as? [String: Any])?["hits"] as? [[String: Any]])?.first?["rule"] as? String
                    == "test.hold")

            let rejected = try await client.execute(
                uri: "/herdwatch/api/v1/cases/\(heldID)/reject", method: .post, headers: auth)
            #expect(rejected.status == .ok)
            let rejectedCase = try json(String(buffer: rejected.body))
            #expect(rejectedCase["state"] as? String == "closed")
            #expect(rejectedCase["outcome"] as? String == "rejected")
            #expect(rejectedCase["decided_by"] as? String == "token 2 (test)")
            let again = try await client.execute(
                uri: "/herdwatch/api/v1/cases/\(heldID)/approve", method: .post, headers: auth)
            #expect(again.status == .conflict)
            #expect(try json(String(buffer: again.body))["code"] as? String == "not_open")

            let approved = try await client.execute(
                uri: "/herdwatch/api/v1/cases/\(flaggedID)/approve", method: .post, headers: auth)
            #expect(approved.status == .ok)
            let missing = try await client.execute(
                uri: "/herdwatch/api/v1/cases/999/approve", method: .post, headers: auth)
            #expect(missing.status == .notFound)
        }
        #expect(try await server.cases.caseCounts() == [.closed: 2])
        #expect(try await server.cases.cases(state: .closed, limit: 10).map(\.outcome) == [.rejected, .approved])
    }

    @Test func withoutAnUpstreamOtherPathsSayWhatRuns() async throws {
        let server = try TestServer()
        let app = HerdwatchApplication.make(server.components)
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/users/bob/inbox", method: .post, body: ByteBuffer(string: "{}"))
            #expect(response.status == .notFound)
            #expect(String(buffer: response.body).contains("proxy.upstream"))
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
        }
    }
}
