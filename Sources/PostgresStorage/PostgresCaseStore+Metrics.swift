public import Foundation
import PostgresNIO
public import ReviewQueue

extension PostgresCaseStore: CaseMetricsStore {
    /// The same figures as the SQLite store's, from aggregates: no case is loaded.
    public func metrics(at now: Date, defaultSLAMinutes: Int) async throws -> CaseMetrics {
        let queues = try await queues()
        let moments = CaseMetrics.backlogMoments(endingAt: now)
        let time = now.timeIntervalSince1970
        let (hour, day, sla) = (time - 3600, time - 24 * 3600, time - Double(defaultSLAMinutes) * 60)
        var backlogQuery = SQLBuilder("SELECT ")
        for (index, moment) in moments.enumerated() {
            backlogQuery.append(
                index == 0 ? "COUNT(*) FILTER (WHERE opened_at <= " : ", COUNT(*) FILTER (WHERE opened_at <= ")
            backlogQuery.append(binding: moment.timeIntervalSince1970)
            backlogQuery.append(" AND (state != 'closed' OR decided_at > ")
            backlogQuery.append(binding: moment.timeIntervalSince1970)
            backlogQuery.append("))")
        }
        backlogQuery.append(" FROM review_case")
        let backlogSQL = backlogQuery.query
        return try await read { connection in
            var totals = (
                openedHour: 0, openedDay: 0, pending: 0, oldest: Double?.none, closedHour: 0, closedDay: 0, breaches: 0
            )
            for try await row in try await connection.query(
                """
                SELECT
                    COUNT(*) FILTER (WHERE opened_at > \(hour) AND opened_at <= \(time)),
                    COUNT(*) FILTER (WHERE opened_at > \(day) AND opened_at <= \(time)),
                    COUNT(*) FILTER (WHERE state != 'closed'),
                    MIN(opened_at) FILTER (WHERE state != 'closed'),
                    COUNT(*) FILTER (WHERE state = 'closed' AND decided_at > \(hour) AND decided_at <= \(time)),
                    COUNT(*) FILTER (WHERE state = 'closed' AND decided_at > \(day) AND decided_at <= \(time)),
                    COUNT(*) FILTER (WHERE state != 'closed' AND opened_at < \(sla))
                FROM review_case
                """, logger: database.logger
            ).decode((Int, Int, Int, Double?, Int, Int, Int).self) {
                totals = row
            }
            let medianToDecision =
                try await Self.first(
                    Double?.self,
                    """
                    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY decided_at - opened_at) FROM review_case
                    WHERE state = 'closed' AND decided_at > \(day) AND decided_at <= \(time)
                    """, connection) ?? nil
            // Time in review: from the decider's last claim of the case to their decision.
            var moderators: [CaseMetrics.Moderator] = []
            for try await (name, decisions, median) in try await connection.query(
                """
                WITH d AS (
                    SELECT d.actor AS actor, d.at - (
                        SELECT MAX(c.at) FROM audit_entry c
                        WHERE c.case_id = d.case_id AND c.actor = d.actor AND c.action = 'claim' AND c.at <= d.at
                    ) AS x
                    FROM audit_entry d
                    WHERE d.action IN ('approve', 'reject', 'escalate') AND d.at > \(day) AND d.at <= \(time))
                SELECT actor, COUNT(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY x)
                FROM d GROUP BY actor ORDER BY actor COLLATE "C"
                """, logger: database.logger
            ).decode((String, Int, Double?).self) {
                moderators.append(CaseMetrics.Moderator(name: name, decisions: decisions, medianTimeInReview: median))
            }
            var backlog: [CaseMetrics.BacklogPoint] = []
            for try await row in try await connection.query(backlogSQL, logger: database.logger) {
                let counts = row.makeRandomAccess()
                for (index, moment) in moments.enumerated() {
                    backlog.append(CaseMetrics.BacklogPoint(at: moment, pending: try counts[index].decode(Int.self)))
                }
            }
            let slas = try await Self.queueSLAs(connection)
            var queueFigures: [CaseMetrics.Queue] = []
            for queue in queues {
                let minutes = slas[queue.name] ?? defaultSLAMinutes
                var query = SQLBuilder("SELECT COUNT(*), COUNT(*) FILTER (WHERE opened_at < ")
                query.append(binding: time - Double(minutes) * 60)
                query.append(") FROM review_case WHERE state != 'closed' AND ")
                Self.condition(queue.filter, ignoringState: false, into: &query)
                for try await (pending, breaches) in try await connection.query(query.query, logger: database.logger)
                    .decode((Int, Int).self)
                {
                    queueFigures.append(
                        CaseMetrics.Queue(name: queue.name, slaMinutes: minutes, pending: pending, breaches: breaches))
                }
            }
            return CaseMetrics(
                at: now, openedLastHour: totals.openedHour, openedLastDay: totals.openedDay, pending: totals.pending,
                oldestPendingAge: totals.oldest.map { time - $0 }, closedLastHour: totals.closedHour,
                closedLastDay: totals.closedDay, medianTimeToDecision: medianToDecision, slaMinutes: defaultSLAMinutes,
                slaBreaches: totals.breaches, moderators: moderators, queues: queueFigures, backlog: backlog)
        }
    }

    public func setSLA(minutes: Int?, forQueue name: String) async throws -> Bool {
        try await transaction("write queues to") { connection in
            try await Self.first(
                Int.self, "UPDATE case_queue SET sla_minutes = \(minutes) WHERE name = \(name) RETURNING 1", connection)
                != nil
        }
    }

    public func queueSLAs() async throws -> [String: Int] {
        try await read { connection in try await Self.queueSLAs(connection) }
    }

    private static func queueSLAs(_ connection: PostgresConnection) async throws -> [String: Int] {
        var slas: [String: Int] = [:]
        for try await (name, minutes) in try await connection.query(
            "SELECT name, sla_minutes FROM case_queue WHERE sla_minutes IS NOT NULL", logger: connection.logger
        ).decode((String, Int).self) {
            slas[name] = minutes
        }
        return slas
    }
}
