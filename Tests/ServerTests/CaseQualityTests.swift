import Access
import Configuration
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import ReviewQueue
import RuleEngine
import Testing

@testable import HerdwatchServer

@Suite("Case metrics on the API, in /metrics and on the metrics page")
struct CaseQualityTests {
    /// A bearer token of a new account with `role`.
    static func token(_ server: TestServer, _ name: String, role: Account.Role) async throws -> String {
        let account = try await server.account(name, role: role)
        return try await server.access.issueToken(name: name, scopes: [.moderate], for: account).secret
    }

    @Test("the metrics API counts pending cases, gives the backlog series and the hourly rates")
    func metricsAPI() async throws {
        let server = try TestServer()
        let lead = try await Self.token(server, "lee", role: .lead)
        try await HerdwatchApplication.make(server.components).test(.router) { client in
            _ = try await server.holdCase(client, content: "<p>holdme</p>")
            _ = try await server.holdCase(client, content: "<p>holdme again</p>")
            let response = try await client.execute(
                uri: "/herdwatch/api/v1/metrics", method: .get, headers: [.authorization: "Bearer \(lead)"])
            #expect(response.status == .ok)
            let body = try json(String(buffer: response.body))
            #expect(body["pending"] as? Int == 2)
            #expect(body["opened_last_hour"] as? Int == 2)
            #expect(body["sla_minutes"] as? Int == 240)
            #expect(body["sla_breaches"] as? Int == 0)
            #expect((body["opened_per_hour"] as? Double).map { abs($0 - 2.0 / 24) < 1e-9 } == true)
            let backlog = try #require(body["backlog"] as? [[String: Any]])
            #expect(backlog.count == 25)
            #expect(backlog.last?["pending"] as? Int == 2)
        }
    }

    @Test("/metrics carries the pending, oldest-age and per-queue breach gauges; a queue's SLA is set through the API")
    func prometheusGauges() async throws {
        let server = try TestServer(values: ["review.slaMinutes": 1])
        let lead = try await Self.token(server, "lee", role: .lead)
        try await server.cases.saveQueue(CaseQueue(name: "holds", filter: CaseFilter(action: .hold)))
        try await server.cases.saveQueue(CaseQueue(name: "flags", filter: CaseFilter(action: .flag)))
        let start = Date()
        // Opened two minutes ago: past the 1-minute default, within the queue's own 10 hours (however long a loaded
        // machine takes to reach the scrape).
        _ = try await server.cases.open(
            NewCase(
                activityID: "https://remote.example/a/1", actorID: "https://remote.example/users/mallory", signer: nil,
                deliveryKey: "k1", source: .hook,
                verdict: .init(action: .hold, score: 1, hits: [], shadowHits: [], errors: [], rulesetVersion: "t"),
                body: Array("{}".utf8), request: nil, openedAt: Date().addingTimeInterval(-120)))
        try await HerdwatchApplication.make(server.components).test(.router) { client in
            let sla = try await client.execute(
                uri: "/herdwatch/api/v1/queues/holds/sla", method: .put, headers: [.authorization: "Bearer \(lead)"],
                body: ByteBuffer(string: #"{"minutes": 600}"#))
            #expect(sla.status == .ok)
            #expect(try json(String(buffer: sla.body))["sla_minutes"] as? Int == 600)
            let missing = try await client.execute(
                uri: "/herdwatch/api/v1/queues/nope/sla", method: .put, headers: [.authorization: "Bearer \(lead)"],
                body: ByteBuffer(string: #"{"minutes": 5}"#))
            #expect(missing.status == .notFound)
            let text = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(text.contains("herdwatch_cases_pending 1"))
            let oldest = try #require(
                text.split(separator: "\n").first { $0.hasPrefix("herdwatch_case_oldest_age_seconds ") })
            let age = try #require(Double(oldest.split(separator: " ")[1]))
            // However slow the machine: no less than the two minutes, no more than the time since it opened.
            #expect(age >= 120 && age <= Date().timeIntervalSince(start) + 121)
            #expect(text.contains(#"herdwatch_cases_sla_breached{queue="*"} 1"#))
            #expect(text.contains(#"herdwatch_cases_sla_breached{queue="holds"} 0"#))
            #expect(text.contains(#"herdwatch_cases_sla_breached{queue="flags"} 0"#))
            // A queue that is gone loses its series at the next scrape.
            _ = try await server.cases.deleteQueue(named: "flags")
            let after = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(!after.contains(#"queue="flags""#))
        }
    }

    @Test("the metrics page shows the figures and an inline SVG chart, to those who may see metrics")
    func metricsPage() async throws {
        let server = try TestServer()
        _ = try await server.account("lee", role: .lead)
        _ = try await server.account("mo", role: .moderator)
        try await HerdwatchApplication.make(server.components).test(.router) { client in
            _ = try await server.holdCase(client, content: "<p>holdme</p>")
            var lead = Browser()
            _ = try await lead.signIn(client, username: "lee", password: "correct horse battery")
            let response = try await lead.send(client, "/herdwatch/metrics")
            #expect(response.status == .ok)
            let page = String(buffer: response.body)
            #expect(page.contains("<dt>Pending</dt><dd>1</dd>"))
            #expect(page.contains(#"<svg class="chart" viewBox="0 0 600 160""#))
            // 25 points, the last at the top of the scale (1 case) on the right edge.
            let points = try #require(page.range(of: #"points=""#).map { page[$0.upperBound...].prefix { $0 != "\"" } })
            #expect(points.split(separator: " ").count == 25)
            #expect(points.hasSuffix("590.0,10.0"))
            var moderator = Browser()
            _ = try await moderator.signIn(client, username: "mo", password: "correct horse battery")
            #expect(try await moderator.send(client, "/herdwatch/metrics").status == .forbidden)
        }
    }

    @Test("the backlog chart scales the counts into the box, oldest on the left")
    func chartPoints() {
        let start = Date(timeIntervalSince1970: 0)
        let chart = BacklogChart(
            points: [0, 4, 2].enumerated().map {
                .init(at: start.addingTimeInterval(Double($0.offset) * 3600), pending: $0.element)
            })
        #expect(chart.polyline == "10.0,150.0 300.0,10.0 590.0,80.0")
        #expect(BacklogChart(points: []).polyline == "")
    }
}
