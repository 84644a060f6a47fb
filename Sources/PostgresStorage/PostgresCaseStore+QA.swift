public import Access
public import Foundation
import PostgresNIO
public import ReviewQueue

extension PostgresCaseStore: CaseQAStore {
    /// Sampling is idempotent across nodes (`ON CONFLICT DO NOTHING`), and a review another node is handing out is
    /// skipped (`SKIP LOCKED`): two reviewers never get the same one.
    public func nextQA(for principal: Principal, share: Double, lease: TimeInterval, at now: Date) async throws
        -> (QAReview, ReviewCase)?
    {
        try QAReview.checkReviewer(principal)
        let time = now.timeIntervalSince1970
        let expires = now.addingTimeInterval(lease)
        var sample = SQLBuilder(
            """
            INSERT INTO qa_review (case_id, first_decider, first_account_id, first_outcome, sampled_at)
            SELECT c.id, c.decided_by,
                (SELECT a.account_id FROM audit_entry a
                 WHERE a.case_id = c.id AND a.action IN ('approve', 'reject') ORDER BY a.id DESC LIMIT 1),
                c.outcome, GREATEST(
            """)
        sample.append(binding: time)
        sample.append(
            """
            , c.decided_at)
            FROM review_case c
            WHERE c.state = 'closed' AND c.outcome IS NOT NULL AND c.decided_by IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM qa_review q WHERE q.case_id = c.id) AND
            """ + " ")
        // The shared hash condition ends in its one argument, the threshold.
        sample.append(String(QASampling.sqlCondition(column: "c.id").dropLast()))
        sample.append(binding: QASampling.threshold(share))
        sample.append(" ON CONFLICT (case_id) DO NOTHING")
        let sampling = sample.query
        let picked = try await transaction("write case reviews to") { connection -> QAReview? in
            try await connection.query(sampling, logger: database.logger)
            guard
                var review = try await Self.qaReviews(
                    """
                    SELECT \(unescaped: Self.qaColumns) FROM qa_review
                    WHERE outcome IS NULL AND first_decider != \(principal.displayName)
                        AND (first_account_id IS NULL OR first_account_id IS DISTINCT FROM \(principal.accountID))
                        AND (lease_expires_at IS NULL OR lease_expires_at <= \(time) OR lease_holder = \(principal.leaseKey))
                    ORDER BY case_id LIMIT 1 FOR UPDATE SKIP LOCKED
                    """, connection
                ).first
            else { return nil }
            review.lease = ReviewCase.Lease(
                holder: principal.leaseKey, holderName: principal.displayName, expiresAt: expires)
            try await connection.query(
                """
                UPDATE qa_review SET lease_holder = \(principal.leaseKey), lease_holder_name = \(principal.displayName),
                    lease_expires_at = \(expires.timeIntervalSince1970)
                WHERE case_id = \(review.caseID)
                """, logger: database.logger)
            return review
        }
        guard let picked, let found = try await reviewCase(id: picked.caseID) else { return nil }
        return (picked, found)
    }

    public func answerQA(caseID: Int64, outcome: ReviewCase.Outcome, by principal: Principal, at now: Date)
        async throws -> QAReview
    {
        try await transaction("write case reviews to") { connection in
            guard
                let review = try await Self.qaReviews(
                    "SELECT \(unescaped: Self.qaColumns) FROM qa_review WHERE case_id = \(caseID) FOR UPDATE",
                    connection
                ).first
            else {
                throw CaseWorkflowError(.notFound, "case \(caseID) has no QA review", caseID: caseID)
            }
            let answered = try review.answering(outcome, by: principal, at: now)
            try await connection.query(
                """
                UPDATE qa_review SET outcome = \(outcome.rawValue), reviewer = \(principal.displayName),
                    answered_at = \(now.timeIntervalSince1970),
                    lease_holder = NULL, lease_holder_name = NULL, lease_expires_at = NULL
                WHERE case_id = \(caseID) AND outcome IS NULL
                """, logger: database.logger)
            return answered
        }
    }

    public func qaAgreement() async throws -> (moderators: [QAAgreement], rules: [QAAgreement]) {
        try await read { connection in
            func agreements(_ query: PostgresQuery) async throws -> [QAAgreement] {
                var agreements: [QAAgreement] = []
                for try await (name, reviewed, agreed) in try await connection.query(query, logger: database.logger)
                    .decode((String, Int, Int).self)
                {
                    agreements.append(QAAgreement(name: name, reviewed: reviewed, agreed: agreed))
                }
                return agreements
            }
            let moderators = try await agreements(
                """
                SELECT first_decider, COUNT(*), COUNT(*) FILTER (WHERE outcome = first_outcome)
                FROM qa_review WHERE outcome IS NOT NULL GROUP BY first_decider ORDER BY first_decider COLLATE "C"
                """)
            let rules = try await agreements(
                """
                SELECT name, COUNT(*), COUNT(*) FILTER (WHERE agreed) FROM (
                    SELECT hit.value ->> 'rule' AS name, q.outcome = q.first_outcome AS agreed
                    FROM qa_review q JOIN review_case c ON c.id = q.case_id
                        CROSS JOIN LATERAL jsonb_array_elements(c.verdict::jsonb -> 'hits') AS hit (value)
                    WHERE q.outcome IS NOT NULL) AS reviewed
                WHERE name IS NOT NULL GROUP BY name ORDER BY name COLLATE "C"
                """)
            return (moderators, rules)
        }
    }

    private static let qaColumns = """
        case_id, first_decider, first_account_id, first_outcome, sampled_at, lease_holder, lease_holder_name,
        lease_expires_at, reviewer, outcome, answered_at
        """

    private static func qaReviews(_ query: PostgresQuery, _ connection: PostgresConnection) async throws -> [QAReview] {
        var reviews: [QAReview] = []
        for try await (
            caseID, decider, account, first, sampled, holder, holderName, expires, reviewer, outcome, answered
        )
            in try await connection.query(query, logger: connection.logger).decode(
                (Int64, String, Int64?, String, Double, String?, String?, Double?, String?, String?, Double?).self)
        {
            reviews.append(
                QAReview(
                    caseID: caseID, firstDecider: decider, firstAccountID: account,
                    firstOutcome: ReviewCase.Outcome(rawValue: first) ?? .approved,
                    sampledAt: Date(timeIntervalSince1970: sampled),
                    lease: holder.map {
                        ReviewCase.Lease(
                            holder: $0, holderName: holderName ?? $0,
                            expiresAt: Date(timeIntervalSince1970: expires ?? 0))
                    },
                    reviewer: reviewer, outcome: outcome.flatMap(ReviewCase.Outcome.init(rawValue:)),
                    answeredAt: answered.map(Date.init(timeIntervalSince1970:))))
        }
        return reviews
    }
}
