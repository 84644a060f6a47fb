import Foundation
import HerdwatchTestSupport
import PostgresNIO
import PostgresStorage
import Reputation
import Testing

/// The synchronous stores (follows, reputation) on PostgreSQL: the same conformance checks as SQLite and memory.
@Suite(
    "PostgreSQL synchronous stores",
    .enabled(if: TestPostgres.available, "needs HERDWATCH_TEST_POSTGRES_URL (Scripts/with-postgres)"))
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
            try await ReputationStoreConformance.boundedRetention.run(
                on: PostgresReputationStore(database: database, observationsDeletedPerBatch: 4))
        }
    }

    @Test func theRecordsSizeBudgetKeepsTheNewestRows() async throws {
        try await TestPostgres.withDatabase { database in
            try await ReputationStoreConformance.boundedBudget.run(
                on: PostgresReputationStore(database: database, observationsDeletedPerBatch: 4))
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
