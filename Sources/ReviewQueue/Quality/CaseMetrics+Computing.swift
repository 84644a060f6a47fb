public import Foundation

extension CaseMetrics {
    /// The metrics of cases and audit entries held in memory: what `InMemoryCaseStore` answers, and what the
    /// SQLite store's aggregates must agree with.
    public static func compute(
        cases: [ReviewCase], audit: [AuditEntry], queues: [CaseQueue], slas: [String: Int], defaultSLAMinutes: Int,
        at now: Date
    ) -> CaseMetrics {
        let hour = now.addingTimeInterval(-3600)
        let day = now.addingTimeInterval(-24 * 3600)
        func within(_ date: Date, after start: Date) -> Bool { date > start && date <= now }
        let pending = cases.filter { $0.state != .closed }
        let closed: [(reviewCase: ReviewCase, at: Date)] = cases.compactMap { reviewCase in
            guard reviewCase.state == .closed, let closedAt = reviewCase.closedAt else { return nil }
            return (reviewCase, closedAt)
        }
        func breaches(_ cases: [ReviewCase], minutes: Int) -> Int {
            let limit = now.addingTimeInterval(-Double(minutes) * 60)
            return cases.count { $0.openedAt < limit }
        }

        let decisions = audit.filter { decisionActions.contains($0.action) && within($0.at, after: day) }
        let moderators = Dictionary(grouping: decisions, by: \.actor).map { name, entries in
            let times = entries.compactMap { decision -> Double? in
                let claim = audit.filter {
                    $0.caseID == decision.caseID && $0.actor == decision.actor && $0.action == .claim
                        && $0.at <= decision.at
                }.map(\.at).max()
                return claim.map { decision.at.timeIntervalSince($0) }
            }
            return Moderator(name: name, decisions: entries.count, medianTimeInReview: median(times))
        }.sorted { $0.name < $1.name }

        let queueFigures = queues.sorted { $0.name < $1.name }.map { queue in
            let minutes = slas[queue.name] ?? defaultSLAMinutes
            let waiting = pending.filter { queue.filter.matches($0) }
            return Queue(
                name: queue.name, slaMinutes: minutes, pending: waiting.count,
                breaches: breaches(waiting, minutes: minutes))
        }

        let backlog = backlogMoments(endingAt: now).map { moment in
            BacklogPoint(
                at: moment,
                pending: cases.count { reviewCase in
                    guard reviewCase.openedAt <= moment else { return false }
                    guard reviewCase.state == .closed, let closedAt = reviewCase.closedAt else { return true }
                    return closedAt > moment
                })
        }

        return CaseMetrics(
            at: now,
            openedLastHour: cases.count { within($0.openedAt, after: hour) },
            openedLastDay: cases.count { within($0.openedAt, after: day) },
            pending: pending.count,
            oldestPendingAge: pending.map(\.openedAt).min().map { now.timeIntervalSince($0) },
            closedLastHour: closed.count { within($0.at, after: hour) },
            closedLastDay: closed.count { within($0.at, after: day) },
            medianTimeToDecision: median(
                closed.filter { within($0.at, after: day) }.map { $0.at.timeIntervalSince($0.reviewCase.openedAt) }),
            slaMinutes: defaultSLAMinutes, slaBreaches: breaches(pending, minutes: defaultSLAMinutes),
            moderators: moderators, queues: queueFigures, backlog: backlog)
    }
}
