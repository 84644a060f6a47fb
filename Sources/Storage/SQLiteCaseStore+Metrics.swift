public import Foundation
import GRDB
public import ReviewQueue

extension SQLiteCaseStore: CaseMetricsStore {
    /// One pass over the cases for the totals and one for the backlog series, a window function for the medians,
    /// and one count per saved queue: no case is loaded.
    public func metrics(at now: Date, defaultSLAMinutes: Int) async throws -> CaseMetrics {
        let queues = try await queues().map { queue in
            (queue.name, Self.condition(queue.filter, ignoringState: false))
        }
        let moments = CaseMetrics.backlogMoments(endingAt: now)
        return try await readQuality { db in
            let time = now.timeIntervalSince1970
            let window: StatementArguments = [
                "now": time, "hour": time - 3600, "day": time - 24 * 3600,
                "sla": time - Double(defaultSLAMinutes) * 60,
            ]
            let totals = try Row.fetchOne(
                db,
                sql: """
                    SELECT
                        COUNT(*) FILTER (WHERE opened_at > :hour AND opened_at <= :now) AS opened_hour,
                        COUNT(*) FILTER (WHERE opened_at > :day AND opened_at <= :now) AS opened_day,
                        COUNT(*) FILTER (WHERE state != 'closed') AS pending,
                        MIN(opened_at) FILTER (WHERE state != 'closed') AS oldest,
                        COUNT(*) FILTER (WHERE state = 'closed' AND decided_at > :hour AND decided_at <= :now) AS closed_hour,
                        COUNT(*) FILTER (WHERE state = 'closed' AND decided_at > :day AND decided_at <= :now) AS closed_day,
                        COUNT(*) FILTER (WHERE state != 'closed' AND opened_at < :sla) AS breaches
                    FROM review_case
                    """,
                arguments: window)!
            let medianToDecision = try Double.fetchOne(
                db,
                sql: """
                    WITH v AS (
                        SELECT decided_at - opened_at AS x FROM review_case
                        WHERE state = 'closed' AND decided_at > :day AND decided_at <= :now),
                    r AS (SELECT x, ROW_NUMBER() OVER (ORDER BY x) AS n, COUNT(*) OVER () AS c FROM v)
                    SELECT AVG(x) FROM r WHERE n IN ((c + 1) / 2, (c + 2) / 2)
                    """,
                arguments: window)
            let moderators = try Row.fetchAll(
                db,
                sql: """
                    WITH d AS (
                        SELECT d.actor AS actor, d.at - (
                            SELECT MAX(c.at) FROM audit_entry c
                            WHERE c.case_id = d.case_id AND c.actor = d.actor AND c.action = 'claim' AND c.at <= d.at
                        ) AS x
                        FROM audit_entry d
                        WHERE d.action IN ('approve', 'reject', 'escalate') AND d.at > :day AND d.at <= :now),
                    r AS (
                        SELECT actor, x, ROW_NUMBER() OVER (PARTITION BY actor ORDER BY x) AS n,
                            COUNT(*) OVER (PARTITION BY actor) AS c
                        FROM d WHERE x IS NOT NULL)
                    SELECT d.actor AS actor, COUNT(*) AS decisions,
                        (SELECT AVG(x) FROM r WHERE r.actor = d.actor AND n IN ((c + 1) / 2, (c + 2) / 2)) AS median
                    FROM d GROUP BY d.actor ORDER BY d.actor
                    """,
                arguments: window
            ).map { row in
                CaseMetrics.Moderator(
                    name: row["actor"], decisions: row["decisions"], medianTimeInReview: row["median"])
            }
            var backlogArguments = StatementArguments()
            let columns = moments.indices.map { index in
                "COUNT(*) FILTER (WHERE opened_at <= :t\(index) AND (state != 'closed' OR decided_at > :t\(index)))"
            }
            for (index, moment) in moments.enumerated() {
                _ = backlogArguments.append(contentsOf: ["t\(index)": moment.timeIntervalSince1970])
            }
            let counts = try Row.fetchOne(
                db, sql: "SELECT \(columns.joined(separator: ", ")) FROM review_case", arguments: backlogArguments)!
            let backlog = moments.enumerated().map { index, moment in
                CaseMetrics.BacklogPoint(at: moment, pending: counts[index])
            }
            let slas = try Self.queueSLAs(db)
            let queueFigures = try queues.map { name, condition in
                let minutes = slas[name] ?? defaultSLAMinutes
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT COUNT(*) AS pending, COUNT(*) FILTER (WHERE opened_at < ?) AS breaches
                        FROM review_case WHERE state != 'closed' AND \(condition.0)
                        """,
                    arguments: [time - Double(minutes) * 60] + condition.1)!
                return CaseMetrics.Queue(
                    name: name, slaMinutes: minutes, pending: row["pending"], breaches: row["breaches"])
            }
            let oldest: Double? = totals["oldest"]
            return CaseMetrics(
                at: now, openedLastHour: totals["opened_hour"], openedLastDay: totals["opened_day"],
                pending: totals["pending"], oldestPendingAge: oldest.map { time - $0 },
                closedLastHour: totals["closed_hour"], closedLastDay: totals["closed_day"],
                medianTimeToDecision: medianToDecision, slaMinutes: defaultSLAMinutes, slaBreaches: totals["breaches"],
                moderators: moderators, queues: queueFigures, backlog: backlog)
        }
    }

    public func setSLA(minutes: Int?, forQueue name: String) async throws -> Bool {
        try await writeQuality { db in
            try db.execute(sql: "UPDATE case_queue SET sla_minutes = ? WHERE name = ?", arguments: [minutes, name])
            return db.changesCount > 0
        }
    }

    public func queueSLAs() async throws -> [String: Int] {
        try await readQuality { db in try Self.queueSLAs(db) }
    }

    private static func queueSLAs(_ db: GRDB.Database) throws -> [String: Int] {
        var slas: [String: Int] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT name, sla_minutes FROM case_queue WHERE sla_minutes IS NOT NULL") {
            slas[row["name"]] = row["sla_minutes"]
        }
        return slas
    }

    func readQuality<T: Sendable>(_ body: @escaping @Sendable (GRDB.Database) throws -> T) async throws -> T {
        do {
            return try await database.pool.read(body)
        } catch let error as CaseWorkflowError {
            throw error
        } catch {
            throw SQLiteDatabase.storageError(error, path: database.path, doing: "read case metrics from")
        }
    }

    func writeQuality<T: Sendable>(_ body: @escaping @Sendable (GRDB.Database) throws -> T) async throws -> T {
        do {
            return try await database.pool.write(body)
        } catch let error as CaseWorkflowError {
            throw error
        } catch {
            throw SQLiteDatabase.storageError(error, path: database.path, doing: "write case reviews to")
        }
    }
}
