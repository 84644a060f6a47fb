import Access
import Configuration
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import HerdwatchServer

@Suite("QA review API")
struct QAReviewAPITests {
    @Test(
        "a closed case goes to a blind second review by someone else; agreement shows in the metrics per moderator and rule"
    )
    func blindSecondReview() async throws {
        let server = try TestServer(values: ["review.qaShare": 1.0])
        let mo = try await CaseQualityTests.token(server, "mo", role: .moderator)
        let lee = try await CaseQualityTests.token(server, "lee", role: .lead)
        try await HerdwatchApplication.make(server.components).test(.router) { client in
            let id = try await server.holdCase(client, content: "<p>holdme</p>")
            let rejected = try await client.execute(
                uri: "/herdwatch/api/v1/cases/\(id)/reject", method: .post, headers: [.authorization: "Bearer \(mo)"])
            #expect(rejected.status == .ok)
            // The first decider gets nothing to review.
            let own = try await client.execute(
                uri: "/herdwatch/api/v1/qa/next", method: .post, headers: [.authorization: "Bearer \(mo)"])
            #expect(own.status == .noContent)

            let next = try await client.execute(
                uri: "/herdwatch/api/v1/qa/next", method: .post, headers: [.authorization: "Bearer \(lee)"])
            #expect(next.status == .ok)
            let text = String(buffer: next.body)
            let item = try json(text)
            #expect((item["case_id"] as? NSNumber)?.int64Value == id)
            let shown = try #require(item["case"] as? [String: Any])
            #expect((shown["activity"] as? String)?.contains("holdme") == true)
            // Blind: nothing of the first decision.
            for word in ["outcome", "decided_by", "closed_at", "rejected", "\"mo\""] {
                #expect(!text.contains(word), "the QA item shows \(word)")
            }

            let answer = try await client.execute(
                uri: "/herdwatch/api/v1/qa/\(id)/answer", method: .post, headers: [.authorization: "Bearer \(lee)"],
                body: ByteBuffer(string: #"{"outcome": "rejected"}"#))
            #expect(answer.status == .ok)
            #expect(try json(String(buffer: answer.body))["agrees"] as? Bool == true)
            let again = try await client.execute(
                uri: "/herdwatch/api/v1/qa/\(id)/answer", method: .post, headers: [.authorization: "Bearer \(lee)"],
                body: ByteBuffer(string: #"{"outcome": "approved"}"#))
            #expect(again.status == .conflict)

            let metrics = try json(
                String(
                    buffer: try await client.execute(
                        uri: "/herdwatch/api/v1/metrics", method: .get, headers: [.authorization: "Bearer \(lee)"]
                    ).body))
            let qa = try #require(metrics["qa"] as? [String: Any])
            let moderators = try #require(qa["moderators"] as? [[String: Any]])
            #expect(moderators.count == 1)
            // The first decider as the audit log names them: mo, through their token.
            #expect((moderators.first?["name"] as? String)?.hasPrefix("mo (token") == true)
            #expect(moderators.first?["rate"] as? Double == 1)
            let rules = try #require(qa["rules"] as? [[String: Any]])
            #expect(rules.map { $0["name"] as? String } == ["test.hold"])
            #expect(rules.first?["reviewed"] as? Int == 1)

            var browser = Browser()
            _ = try await browser.signIn(client, username: "lee", password: "correct horse battery")
            let page = String(buffer: try await browser.send(client, "/herdwatch/metrics").body)
            #expect(page.contains("<h2>QA agreement by rule</h2>"))
            #expect(page.contains("<td>test.hold</td><td>1</td><td>1</td><td>100 %</td>"))
        }
    }
}
