public import Foundation
import PostgresNIO
public import ReviewQueue

extension PostgresCaseStore: CaseRetentionStore {
    /// Cases another node is purging are skipped (`SKIP LOCKED`): each purge is done and audited once.
    public func purgeEvidence(closedBefore cutoff: Date, at now: Date, limit: Int) async throws -> [Int64] {
        try await transaction("purge case evidence in") { connection in
            var due: [(id: Int64, decidedAt: Double)] = []
            for try await row in try await connection.query(
                """
                SELECT id, decided_at FROM review_case
                WHERE state = 'closed' AND evidence_purged_at IS NULL AND decided_at < \(cutoff.timeIntervalSince1970)
                ORDER BY decided_at, id LIMIT \(limit) FOR UPDATE SKIP LOCKED
                """, logger: database.logger
            ).decode((Int64, Double).self) {
                due.append(row)
            }
            for (id, decidedAt) in due {
                try await connection.query(
                    """
                    UPDATE review_case SET body = ''::bytea, request = NULL, request_body = NULL, actor_document = NULL,
                        evidence_purged_at = \(now.timeIntervalSince1970)
                    WHERE id = \(id)
                    """, logger: database.logger)
                try await Self.insert(
                    AuditEntry.evidencePurge(caseID: id, at: now, closedAt: Date(timeIntervalSince1970: decidedAt)),
                    connection)
            }
            return due.map(\.id)
        }
    }

    public func evidencePurgedAt(caseID: Int64) async throws -> Date? {
        try await read { connection in
            try await Self.first(
                Double?.self, "SELECT evidence_purged_at FROM review_case WHERE id = \(caseID)", connection
            )?.map(Date.init(timeIntervalSince1970:))
        }
    }
}
