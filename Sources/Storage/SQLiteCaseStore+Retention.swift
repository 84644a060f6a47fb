public import Foundation
import GRDB
public import ReviewQueue

extension SQLiteCaseStore: CaseRetentionStore {
    public func purgeEvidence(closedBefore cutoff: Date, at now: Date, limit: Int) async throws -> [Int64] {
        try await writeQuality { db in
            let due = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, decided_at FROM review_case
                    WHERE state = 'closed' AND evidence_purged_at IS NULL AND decided_at < ?
                    ORDER BY decided_at, id LIMIT ?
                    """,
                arguments: [cutoff.timeIntervalSince1970, limit])
            var purged: [Int64] = []
            for row in due {
                let id: Int64 = row["id"]
                try db.execute(
                    sql: """
                        UPDATE review_case SET body = x'', request = NULL, request_body = NULL, actor_document = NULL, evidence_purged_at = ?
                        WHERE id = ?
                        """,
                    arguments: [now.timeIntervalSince1970, id])
                try Self.insert(
                    AuditEntry.evidencePurge(
                        caseID: id, at: now, closedAt: Date(timeIntervalSince1970: row["decided_at"])), db)
                purged.append(id)
            }
            return purged
        }
    }

    public func evidencePurgedAt(caseID: Int64) async throws -> Date? {
        try await readQuality { db in
            try Double.fetchOne(
                db, sql: "SELECT evidence_purged_at FROM review_case WHERE id = ?", arguments: [caseID]
            ).map(Date.init(timeIntervalSince1970:))
        }
    }
}
