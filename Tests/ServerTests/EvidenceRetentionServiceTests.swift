import Access
import Configuration
import Foundation
import Logging
import ReviewQueue
import RuleEngine
import ServiceLifecycle
import Testing

@testable import HerdwatchServer

@Suite("Evidence retention service")
struct EvidenceRetentionServiceTests {
    @Test("purges what its clock says is due, at start, and stops on graceful shutdown")
    func purgesAndStops() async throws {
        let store = InMemoryCaseStore()
        let closedAt = Date(timeIntervalSince1970: 1_700_000_000)
        let principal = Principal(
            account: Account(id: 1, username: "ann", role: .moderator, passwordHash: "-", createdAt: closedAt),
            token: nil, via: .ui)
        var ids: [Int64] = []
        for key in ["a", "b"] {
            let opened = try await store.open(
                NewCase(
                    activityID: "https://remote.example/a/\(key)", actorID: nil, signer: nil, deliveryKey: key,
                    source: .hook,
                    verdict: Verdict(
                        action: .flag, score: 1, hits: [], shadowHits: [], errors: [], rulesetVersion: "t"),
                    body: Array("{}".utf8), request: nil, openedAt: closedAt)
            ).reviewCase
            ids.append(opened.id)
        }
        _ = try await store.apply(
            CaseCommand(
                .decide(Decision(actions: [.reject], reason: "spam"), delivery: nil), by: principal, at: closedAt),
            to: ids[0])
        // 91 days after the first case closed; the second is still open.
        let now = closedAt.addingTimeInterval(91 * 86_400)
        let service = EvidenceRetentionService(
            store: store, retention: 90 * 86_400, interval: .seconds(3600), clock: { now },
            logger: Logger(label: "test"))
        let group = ServiceGroup(services: [service], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var purgedAt: Date?
            for _ in 0..<200 where purgedAt == nil {
                purgedAt = try await store.evidencePurgedAt(caseID: ids[0])
                if purgedAt == nil { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(purgedAt == now)
            #expect(try await store.evidencePurgedAt(caseID: ids[1]) == nil)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test("the server runs the service by default (90 days); a retention of 0 days keeps the evidence")
    func zeroKeeps() async throws {
        for (values, expected) in [([:], TimeInterval(90 * 86_400)), (["review.evidenceRetentionDays": 0], nil)]
            as [([AbsoluteConfigKey: ConfigValue], TimeInterval?)]
        {
            let server = try TestServer(values: values)
            #expect(server.components.configuration.quality.evidenceRetention == expected)
            let assembly = HerdwatchApplication.Assembly(server.components)
            let services = assembly.services.compactMap { $0 as? EvidenceRetentionService }
            #expect(services.map(\.retention) == (expected.map { [$0] } ?? []))
            try await assembly.shutdownPools()
        }
    }
}
