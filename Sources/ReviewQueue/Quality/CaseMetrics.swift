public import Foundation

/// How the review queue is doing: what comes in, what waits, how fast it is decided, by whom, and where service
/// levels are missed. Computed by the store (`CaseMetricsStore.metrics(at:defaultSLAMinutes:)`) over a fixed
/// window: the last hour and the last 24 hours before `at`.
public struct CaseMetrics: Sendable, Hashable, Codable {
    /// A moderator's decisions in the last 24 hours.
    public struct Moderator: Sendable, Hashable, Codable {
        /// The audit log's name for them (`Principal.displayName`).
        public var name: String
        /// Approvals, rejections and escalations.
        public var decisions: Int
        /// From their claim of a case to their decision on it; nil when no decision followed a claim (bulk ones).
        public var medianTimeInReview: TimeInterval?

        public init(name: String, decisions: Int, medianTimeInReview: TimeInterval?) {
            self.name = name
            self.decisions = decisions
            self.medianTimeInReview = medianTimeInReview
        }
    }

    /// A saved queue: what waits in it and how much of that is past the queue's service level.
    public struct Queue: Sendable, Hashable, Codable {
        public var name: String
        /// The queue's own SLA, or the default.
        public var slaMinutes: Int
        public var pending: Int
        public var breaches: Int

        public init(name: String, slaMinutes: Int, pending: Int, breaches: Int) {
            self.name = name
            self.slaMinutes = slaMinutes
            self.pending = pending
            self.breaches = breaches
        }
    }

    /// Cases not yet closed at one moment.
    public struct BacklogPoint: Sendable, Hashable, Codable {
        public var at: Date
        public var pending: Int

        public init(at: Date, pending: Int) {
            self.at = at
            self.pending = pending
        }
    }

    public var at: Date
    /// Cases opened in the last hour and the last 24 hours.
    public var openedLastHour: Int
    public var openedLastDay: Int
    /// Cases open, in review or escalated.
    public var pending: Int
    /// How long the oldest case not yet closed has waited; nil when none waits.
    public var oldestPendingAge: TimeInterval?
    /// Cases closed in the last hour and the last 24 hours.
    public var closedLastHour: Int
    public var closedLastDay: Int
    /// From opening to closing, over the cases closed in the last 24 hours; nil when none was.
    public var medianTimeToDecision: TimeInterval?
    /// The default service level (`review.slaMinutes`) and the cases not yet closed that waited longer.
    public var slaMinutes: Int
    public var slaBreaches: Int
    /// By name.
    public var moderators: [Moderator]
    /// By name.
    public var queues: [Queue]
    /// Cases not yet closed at each of the last 24 hours, oldest first, ending at `at`.
    public var backlog: [BacklogPoint]

    public init(
        at: Date, openedLastHour: Int, openedLastDay: Int, pending: Int, oldestPendingAge: TimeInterval?,
        closedLastHour: Int, closedLastDay: Int, medianTimeToDecision: TimeInterval?, slaMinutes: Int,
        slaBreaches: Int, moderators: [Moderator], queues: [Queue], backlog: [BacklogPoint]
    ) {
        self.at = at
        self.openedLastHour = openedLastHour
        self.openedLastDay = openedLastDay
        self.pending = pending
        self.oldestPendingAge = oldestPendingAge
        self.closedLastHour = closedLastHour
        self.closedLastDay = closedLastDay
        self.medianTimeToDecision = medianTimeToDecision
        self.slaMinutes = slaMinutes
        self.slaBreaches = slaBreaches
        self.moderators = moderators
        self.queues = queues
        self.backlog = backlog
    }

    /// Inbound and handled per hour, averaged over the last 24 hours.
    public var openedPerHour: Double { Double(openedLastDay) / 24 }
    public var closedPerHour: Double { Double(closedLastDay) / 24 }

    /// The moments of the backlog series: each of the last 24 hours, ending at `now`.
    public static func backlogMoments(endingAt now: Date) -> [Date] {
        (0...24).reversed().map { now.addingTimeInterval(-Double($0) * 3600) }
    }

    public static let decisionActions: [AuditEntry.Action] = [.approve, .reject, .escalate]

    /// The median of `values`: the middle one, or the mean of the middle two; nil for none.
    public static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}

/// A store that computes `CaseMetrics` itself (on SQLite, with aggregates, without loading the cases), and keeps
/// each queue's service level.
public protocol CaseMetricsStore: CaseStore {
    /// The metrics at `now`; queues without an SLA of their own use `defaultSLAMinutes`.
    func metrics(at now: Date, defaultSLAMinutes: Int) async throws -> CaseMetrics

    /// Sets a queue's SLA in minutes (nil: the default); false when there is no such queue.
    func setSLA(minutes: Int?, forQueue name: String) async throws -> Bool

    /// The SLAs queues have of their own, by queue name.
    func queueSLAs() async throws -> [String: Int]
}
