import Foundation
import HerdwatchTestSupport
import PostgresNIO
import ReviewQueue
import Testing

@testable import PostgresStorage

@Suite("PostgreSQL case store", .enabled(if: TestPostgres.available, "needs HERDWATCH_TEST_POSTGRES_URL (Scripts/with-postgres)"))
struct PostgresCaseStoreTests {
    @Test(arguments: CaseStoreConformance.checks)
    func caseStoreConforms(check: ConformanceCheck<any CaseStore>) async throws {
        try await TestPostgres.withDatabase { database in
            try await check.run(on: PostgresCaseStore(database: database))
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
