import Foundation
import HerdwatchTestSupport
import PostgresNIO
import ReviewQueue
import RuleEngine
import Testing

@testable import PostgresStorage

@Suite(
    "PostgreSQL case store",
    .enabled(if: TestPostgres.available, "needs HERDWATCH_TEST_POSTGRES_URL (Scripts/with-postgres)"))
struct PostgresCaseStoreTests {
    @Test(arguments: CaseStoreConformance.checks)
    func caseStoreConforms(check: ConformanceCheck<any CaseStore>) async throws {
        try await TestPostgres.withDatabase { database in
            try await check.run(on: PostgresCaseStore(database: database))
        }
    }

    /// Two nodes (two pools on one schema), eight moderators on each asking for cases at once: every case is
    /// handed out once, and the leases that then run out are expired once between two nodes expiring together.
    @Test func twoNodesNeverHandOutTheSameCase() async throws {
        try await withTwoNodes { nodes in
            let at = Date(timeIntervalSince1970: 1_700_000_000)
            for index in 0..<200 {
                _ = try await nodes[index % 2].open(
                    CaseStoreConformance.newCase(
                        id: "https://a.example/activities/\(index)", signer: nil, key: "two-nodes-\(index)"))
            }
            let handed = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for moderator in 0..<16 {
                    let node = nodes[moderator % 2]
                    group.addTask {
                        var ids: [Int64] = []
                        for _ in 0..<20 {
                            if let next = try await node.next(
                                for: CaseStoreConformance.person(Int64(moderator + 1)), queue: nil, lease: 600, at: at)
                            {
                                #expect(next.lease?.holder == "account:\(moderator + 1)")
                                ids.append(next.id)
                            }
                        }
                        return ids
                    }
                }
                var all: [Int64] = []
                for try await ids in group { all += ids }
                return all
            }
            #expect(handed.count == 200)
            #expect(Set(handed).count == 200)
            #expect(try await nodes[0].caseCounts() == [.inReview: 200])
            let claims = try await nodes[1].audit(caseID: nil, limit: 1000).filter { $0.action == .claim }
            #expect(claims.count == 200)

            // Both nodes expire the run-out leases at once: each lease is expired (and audited) by exactly one.
            let later = at.addingTimeInterval(601)
            let expired = try await withThrowingTaskGroup(of: Int.self) { group in
                for node in nodes + nodes { group.addTask { try await node.expireLeases(at: later) } }
                var total = 0
                for try await count in group { total += count }
                return total
            }
            #expect(expired == 200)
            #expect(try await nodes[0].caseCounts() == [.open: 200])
            #expect(try await nodes[0].audit(caseID: nil, limit: 1000).filter { $0.action == .expire }.count == 200)
        }
    }

    @Test func twoNodesOpeningTheSameDeliveryOpenOneCase() async throws {
        try await withTwoNodes { nodes in
            let delivery = CaseStoreConformance.newCase(
                id: "https://a.example/activities/once", signer: "https://a.example/users/alice", key: "once")
            let openings = try await withThrowingTaskGroup(of: CaseOpening.self) { group in
                for index in 0..<10 { group.addTask { try await nodes[index % 2].open(delivery) } }
                var all: [CaseOpening] = []
                for try await opening in group { all.append(opening) }
                return all
            }
            let opened = openings.filter { if case .opened = $0 { true } else { false } }
            #expect(opened.count == 1)
            #expect(Set(openings.map(\.reviewCase.id)).count == 1)
            #expect(try await nodes[0].reviewCase(id: openings[0].reviewCase.id)?.duplicateDeliveries == 9)
        }
    }

    /// Six reports about one actor, each delivered to both nodes at once: one case, each report filed on it once.
    @Test func reportsAboutOneActorOnTwoNodesJoinOneCase() async throws {
        try await withTwoNodes { nodes in
            let actor = "https://x.example/users/spammer"
            func report(_ index: Int) -> NewReport {
                NewReport(
                    activityID: "https://reporter.example/flags/\(index)", reporter: "https://reporter.example/actor",
                    flaggedActor: actor, objects: [actor], comment: nil, deliveryKey: "flag-\(index)", source: .inbox,
                    verdict: Verdict(
                        action: .flag, score: 0, hits: [], shadowHits: [], errors: [], rulesetVersion: "t"),
                    body: Array("{}".utf8), request: nil, receivedAt: Date(timeIntervalSince1970: 1_700_000_000))
            }
            let openings = try await withThrowingTaskGroup(of: CaseOpening.self) { group in
                for index in 0..<12 { group.addTask { try await nodes[index % 2].report(report(index / 2)) } }
                var all: [CaseOpening] = []
                for try await opening in group { all.append(opening) }
                return all
            }
            #expect(openings.filter { if case .opened = $0 { true } else { false } }.count == 1)
            let caseIDs = Set(openings.map(\.reviewCase.id))
            #expect(caseIDs.count == 1)
            let caseID = try #require(caseIDs.first)
            #expect(try await nodes[0].reviewCase(id: caseID)?.reports == 6)
            #expect(try await Set(nodes[1].reports(caseID: caseID).map(\.activityID)).count == 6)
            #expect(try await nodes[0].caseCounts() == [.open: 1])
        }
    }

    /// A node that has locked the best case (it is taking it) holds up nobody: another node's `next` skips it and
    /// takes the second best while the lock is held, instead of waiting for it.
    @Test func nextSkipsACaseAnotherNodeHasLockedInsteadOfWaiting() async throws {
        try await withTwoNodes { nodes in
            let at = Date(timeIntervalSince1970: 1_700_000_000)
            var opened: [ReviewCase] = []
            for index in 0..<2 {
                opened.append(
                    try await nodes[0].open(
                        CaseStoreConformance.newCase(
                            id: "https://a.example/activities/\(index)", signer: nil, key: "locked-\(index)")
                    ).reviewCase)
            }
            let (lockTaken, lockTakenSignal) = AsyncStream<Void>.makeStream()
            let (release, releaseSignal) = AsyncStream<Void>.makeStream()
            let first = opened[0].id
            try await withThrowingTaskGroup(of: Void.self) { holder in
                holder.addTask {
                    try await nodes[0].database.client.withTransaction(logger: Logger(label: "test")) { connection in
                        try await connection.query(
                            "SELECT id FROM review_case WHERE id = \(first) FOR UPDATE", logger: Logger(label: "test"))
                        lockTakenSignal.finish()
                        for await _ in release {}
                    }
                }
                for await _ in lockTaken {}
                // Outer nil: `next` did not come back within 5 seconds (it waited for the lock).
                let handed = try await withThrowingTaskGroup(of: Int64??.self) { race in
                    race.addTask {
                        try await nodes[1].next(for: CaseStoreConformance.person(2), queue: nil, lease: 600, at: at)?.id
                    }
                    race.addTask {
                        try? await Task.sleep(for: .seconds(5))
                        return nil
                    }
                    let winner = try await race.next() ?? nil
                    releaseSignal.finish()
                    // Only the timer is left to stop when `next` came first; a waiting `next` ends with the lock.
                    if winner != nil { race.cancelAll() }
                    try await race.waitForAll()
                    return winner
                }
                try await holder.waitForAll()
                #expect(handed == .some(opened[1].id))
            }
        }
    }

    /// Runs `body` with two stores on one fresh schema, each on a pool of its own: two nodes.
    private func withTwoNodes(_ body: ([PostgresCaseStore]) async throws -> Void) async throws {
        try await TestPostgres.withDatabase { database in
            let other = try PostgreSQLDatabase(url: try #require(TestPostgres.url), schema: database.schema)
            do {
                try await body([PostgresCaseStore(database: database), PostgresCaseStore(database: other)])
                await other.close()
            } catch {
                await other.close()
                throw error
            }
        }
    }

    @Test func theAuditLogCannotBeRewritten() async throws {
        try await TestPostgres.withDatabase { database in
            let store = PostgresCaseStore(database: database)
            let opened = try await store.open(
                CaseStoreConformance.newCase(id: "https://a.example/activities/audit", signer: nil, key: "audit")
            ).reviewCase
            _ = try await store.next(for: CaseStoreConformance.person(1), queue: nil, lease: 600, at: Date())
            #expect(try await store.audit(caseID: opened.id, limit: 10).count == 1)
            for statement: PostgresQuery in ["UPDATE audit_entry SET note = 'x'", "DELETE FROM audit_entry"] {
                await #expect(throws: PSQLError.self) { try await database.client.query(statement) }
            }
            #expect(try await store.audit(caseID: opened.id, limit: 10).map(\.note) == [nil])
        }
    }
}
