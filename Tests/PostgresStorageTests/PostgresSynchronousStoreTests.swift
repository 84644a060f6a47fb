import Foundation
import HerdwatchTestSupport
import PostgresNIO
import PostgresStorage
import Reputation
import Testing

/// The synchronous stores (follows, reputation) on PostgreSQL: the same conformance checks as SQLite and memory.
@Suite("PostgreSQL synchronous stores", .enabled(if: TestPostgres.available, "needs HERDWATCH_TEST_POSTGRES_URL (Scripts/with-postgres)"))
struct PostgresSynchronousStoreTests {
    @Test(arguments: FollowStoreConformance.checks)
    func followStoreConforms(check: ConformanceCheck<any FollowStore>) async throws {
        try await TestPostgres.withDatabase { database in
            try await check.run(on: PostgresFollowStore(database: database))
        }
    }

    @Test(arguments: ReputationStoreConformance.checks)
    func reputationStoreConforms(check: ConformanceCheck<any ReputationStore>) async throws {
        try await TestPostgres.withDatabase { database in
            try await check.run(on: PostgresReputationStore(database: database))
        }
    }

    @Test(arguments: ReputationStoreConformance.additionChecks)
    func reputationStoreAddsAdditions(check: ConformanceCheck<any ReputationStore>) async throws {
        try await TestPostgres.withDatabase { database in
            try await check.run(on: PostgresReputationStore(database: database))
        }
    }

    @Test func aLongObservationBacklogIsDeletedABoundedNumberOfRowsPerBatch() async throws {
        try await TestPostgres.withDatabase { database in
            let store = PostgresReputationStore(database: database, observationsDeletedPerBatch: 4)
            let at = Date(timeIntervalSince1970: 1_700_000_000)
            let remaining = try await onOwnThread { () -> [Int] in
                var backlog = ReputationChanges()
                backlog.observations = (0..<12).map { number in
                    ObservationRecord(
                        at: at.addingTimeInterval(Double(number) * 60), activityID: "https://a.example/\(number)",
                        activityType: "Create", actorID: "https://a.example/users/x", actorHost: "a.example",
                        action: "accept", score: 0, rules: [], signature: .verified, body: nil)
                }
                try store.apply(backlog)
                // Minutes 0–9 have expired; each batch deletes at most four of them, oldest first.
                var remaining: [Int] = []
                for _ in 0..<4 {
                    var batch = ReputationChanges()
                    batch.keepObservationsSince = at.addingTimeInterval(10 * 60)
                    try store.apply(batch)
                    remaining.append(try store.observations(limit: 100).count)
                }
                return remaining
            }
            #expect(remaining == [8, 4, 2, 2])
        }
    }

    @Test func aFailedQueryComesBackAsAStoreErrorThatSaysWhatFailed() async throws {
        try await TestPostgres.withDatabase { database in
            try await database.client.query("DROP TABLE follow_edge")
            let store = PostgresFollowStore(database: database)
            let error = try await onOwnThread { () -> PostgresStoreError? in
                do {
                    _ = try store.edgeCount()
                    return nil
                } catch {
                    return error as? PostgresStoreError
                }
            }
            #expect(error?.code == .failed)
            #expect(error?.message.contains("cannot count the follow graph in the database") == true)
            #expect(error?.message.contains("follow_edge") == true, "the server's own message says which table")
        }
    }
}
