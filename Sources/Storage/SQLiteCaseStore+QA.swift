public import Access
public import Foundation
import GRDB
public import ReviewQueue

extension SQLiteCaseStore: CaseQAStore {
    public func nextQA(for principal: Principal, share: Double, lease: TimeInterval, at now: Date) async throws
        -> (QAReview, ReviewCase)?
    {
        try QAReview.checkReviewer(principal)
        let time = now.timeIntervalSince1970
        let reviewCase = try await writeQuality { db -> QAReview? in
            try db.execute(
                sql: """
                    INSERT INTO qa_review (case_id, first_decider, first_account_id, first_outcome, sampled_at)
                    SELECT c.id, c.decided_by,
                        (SELECT a.account_id FROM audit_entry a
                         WHERE a.case_id = c.id AND a.action IN ('approve', 'reject') ORDER BY a.id DESC LIMIT 1),
                        c.outcome, MAX(?, c.decided_at)
                    FROM review_case c
                    WHERE c.state = 'closed' AND c.outcome IS NOT NULL AND c.decided_by IS NOT NULL
                        AND \(QASampling.sqlCondition(column: "c.id"))
                        AND NOT EXISTS (SELECT 1 FROM qa_review q WHERE q.case_id = c.id)
                    """,
                arguments: [time, QASampling.threshold(share)])
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT * FROM qa_review
                        WHERE outcome IS NULL AND first_decider != ?
                            AND (first_account_id IS NULL OR first_account_id IS NOT ?)
                            AND (lease_expires_at IS NULL OR lease_expires_at <= ? OR lease_holder = ?)
                        ORDER BY case_id LIMIT 1
                        """,
                    arguments: [principal.displayName, principal.accountID, time, principal.leaseKey])
            else { return nil }
            var review = Self.qaReview(row)
            review.lease = ReviewCase.Lease(
                holder: principal.leaseKey, holderName: principal.displayName, expiresAt: now.addingTimeInterval(lease))
            try db.execute(
                sql:
                    "UPDATE qa_review SET lease_holder = ?, lease_holder_name = ?, lease_expires_at = ? WHERE case_id = ?",
                arguments: [
                    principal.leaseKey, principal.displayName, now.addingTimeInterval(lease).timeIntervalSince1970,
                    review.caseID,
                ])
            return review
        }
        guard let review = reviewCase, let found = try await self.reviewCase(id: review.caseID) else { return nil }
        return (review, found)
    }

    public func answerQA(caseID: Int64, outcome: ReviewCase.Outcome, by principal: Principal, at now: Date)
        async throws -> QAReview
    {
        try await writeQuality { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM qa_review WHERE case_id = ?", arguments: [caseID])
            else {
                throw CaseWorkflowError(.notFound, "case \(caseID) has no QA review", caseID: caseID)
            }
            let answered = try Self.qaReview(row).answering(outcome, by: principal, at: now)
            try db.execute(
                sql: """
                    UPDATE qa_review SET outcome = ?, reviewer = ?, answered_at = ?,
                        lease_holder = NULL, lease_holder_name = NULL, lease_expires_at = NULL
                    WHERE case_id = ? AND outcome IS NULL
                    """,
                arguments: [outcome.rawValue, principal.displayName, now.timeIntervalSince1970, caseID])
            return answered
        }
    }

    public func qaAgreement() async throws -> (moderators: [QAAgreement], rules: [QAAgreement]) {
        try await readQuality { db in
            func agreement(_ row: Row) -> QAAgreement {
                QAAgreement(name: row["name"], reviewed: row["reviewed"], agreed: row["agreed"])
            }
            let moderators = try Row.fetchAll(
                db,
                sql: """
                    SELECT first_decider AS name, COUNT(*) AS reviewed, SUM(outcome = first_outcome) AS agreed
                    FROM qa_review WHERE outcome IS NOT NULL GROUP BY first_decider ORDER BY first_decider
                    """
            ).map(agreement)
            let rules = try Row.fetchAll(
                db,
                sql: """
                    SELECT json_extract(hit.value, '$.rule') AS name, COUNT(*) AS reviewed,
                        SUM(q.outcome = q.first_outcome) AS agreed
                    FROM qa_review q JOIN review_case c ON c.id = q.case_id, json_each(c.verdict, '$.hits') AS hit
                    WHERE q.outcome IS NOT NULL GROUP BY name ORDER BY name
                    """
            ).map(agreement)
            return (moderators, rules)
        }
    }

    private static func qaReview(_ row: Row) -> QAReview {
        let holder: String? = row["lease_holder"]
        let expires: Double? = row["lease_expires_at"]
        let answeredAt: Double? = row["answered_at"]
        return QAReview(
            caseID: row["case_id"], firstDecider: row["first_decider"], firstAccountID: row["first_account_id"],
            firstOutcome: ReviewCase.Outcome(rawValue: row["first_outcome"]) ?? .approved,
            sampledAt: Date(timeIntervalSince1970: row["sampled_at"]),
            lease: holder.map {
                ReviewCase.Lease(
                    holder: $0, holderName: row["lease_holder_name"] ?? $0,
                    expiresAt: Date(timeIntervalSince1970: expires ?? 0))
            },
            reviewer: row["reviewer"], outcome: (row["outcome"] as String?).flatMap(ReviewCase.Outcome.init(rawValue:)),
            answeredAt: answeredAt.map(Date.init(timeIntervalSince1970:)))
    }
}
