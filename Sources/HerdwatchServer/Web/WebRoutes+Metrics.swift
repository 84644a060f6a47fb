import Access
import Foundation
import Hummingbird
import ReviewQueue

extension WebRoutes {
    /// `GET /herdwatch/metrics` (`viewMetrics`): the figures, the backlog chart (an inline SVG drawn here from the
    /// counts), and tables per moderator and per queue.
    func metricsPage(_ request: Request, context: Context) async -> Response {
        guard context.principal?.allows(.viewMetrics) ?? false else {
            return forbidden(context, "Your role may not see the metrics; leads and admins may.")
        }
        let current: CaseMetrics
        let agreement: (moderators: [QAAgreement], rules: [QAAgreement])?
        do {
            guard let computed = try await quality.current() else {
                return message(
                    context, status: .serviceUnavailable, heading: "No metrics",
                    text: CaseQuality.unavailableMessage.capitalizedFirst + ".")
            }
            current = computed
            agreement = try await quality.qa?.qaAgreement()
        } catch {
            return unavailable(context)
        }
        return page("metrics", title: "Metrics", context: context, Self.metricsValues(current, qa: agreement))
    }

    static func metricsValues(
        _ metrics: CaseMetrics, qa: (moderators: [QAAgreement], rules: [QAAgreement])? = nil
    ) -> [String: Any] {
        func duration(_ seconds: TimeInterval?) -> String {
            guard let seconds else { return "–" }
            return age(from: Date(timeIntervalSince1970: 0), to: Date(timeIntervalSince1970: seconds))
        }
        func rate(_ value: Double) -> String {
            String(format: "%.1f", locale: Locale(identifier: "en_US_POSIX"), value)
        }
        let figures: [(String, String)] = [
            ("Pending", String(metrics.pending)),
            ("Oldest pending", duration(metrics.oldestPendingAge)),
            ("Opened, last hour", String(metrics.openedLastHour)),
            ("Opened per hour (24 h)", rate(metrics.openedPerHour)),
            ("Closed, last hour", String(metrics.closedLastHour)),
            ("Closed per hour (24 h)", rate(metrics.closedPerHour)),
            ("Median time to decision (24 h)", duration(metrics.medianTimeToDecision)),
            ("Past the \(metrics.slaMinutes)-minute SLA", String(metrics.slaBreaches)),
        ]
        let chart = BacklogChart(points: metrics.backlog)
        var tables: [[String: Any]] = [
            [
                "title": "Moderators, last 24 hours",
                "columns": ["Moderator", "Decisions", "Median time in review"],
                "rows": metrics.moderators.map { moderator in
                    ["cells": [moderator.name, String(moderator.decisions), duration(moderator.medianTimeInReview)]]
                },
            ]
        ]
        if !metrics.queues.isEmpty {
            tables.append([
                "title": "Queues",
                "columns": ["Queue", "Pending", "SLA (minutes)", "Past the SLA"],
                "rows": metrics.queues.map { queue in
                    ["cells": [queue.name, String(queue.pending), String(queue.slaMinutes), String(queue.breaches)]]
                },
            ])
        }
        for (title, column, rows) in [
            ("QA agreement by moderator (first decider)", "Moderator", qa?.moderators ?? []),
            ("QA agreement by rule", "Rule", qa?.rules ?? []),
        ] where !rows.isEmpty {
            tables.append([
                "title": title, "columns": [column, "Reviewed", "Agreed", "Agreement"],
                "rows": rows.map { row in
                    [
                        "cells": [
                            row.name, String(row.reviewed), String(row.agreed), "\(Int((row.rate * 100).rounded())) %",
                        ]
                    ]
                },
            ])
        }
        return [
            "figures": figures.map { ["label": $0.0, "value": $0.1] },
            "chart": [
                "width": String(BacklogChart.width), "height": String(BacklogChart.height), "points": chart.polyline,
                "top": String(chart.top),
            ],
            "tables": tables,
        ]
    }
}
