import CoreMetrics
import Foundation
public import Prometheus
public import Intake
import Reputation
public import ReviewQueue
public import RuleEngine
import Synchronization

/// The server's own metrics, through swift-metrics into one Prometheus registry that `/metrics` renders.
///
/// | metric | labels | meaning |
/// |---|---|---|
/// | `herdwatch_activities_total` | `action` | activities evaluated, by verdict |
/// | `herdwatch_evaluation_seconds` | | time from subject to verdict (histogram) |
/// | `herdwatch_signatures_total` | `status` | deliveries by signature outcome: verified, unsigned, failed |
/// | `herdwatch_key_fetch_failures_total` | `code` | key fetches that failed, by error code |
/// | `herdwatch_refused_total` | `reason` | requests answered with an error before or instead of a verdict |
/// | `herdwatch_duplicates_total` | | deliveries of an activity id evaluated moments before |
/// | `herdwatch_cases_opened_total` | `action` | review cases opened (flag, hold) |
/// | `herdwatch_upstream_requests_total` | `outcome` | requests forwarded to the instance: ok, error |
/// | `herdwatch_replays_total` | `outcome` | held deliveries replayed after approval: delivered, refused, failed |
/// | `herdwatch_cases_pending` | | cases open, in review or escalated |
/// | `herdwatch_case_oldest_age_seconds` | | how long the oldest case not yet closed has waited (0: none waits) |
/// | `herdwatch_cases_sla_breached` | `queue` | cases not closed within the service level: per saved queue, and `*` for all cases under `review.slaMinutes` |
///
/// The case gauges are set from `CaseMetrics` when `/metrics` is scraped and every minute (`CaseGaugeService`).
public final class ServerMetrics: AssessmentObserver {
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    private let activities: [RuleAction: CoreMetrics.Counter]
    private let evaluation: CoreMetrics.Timer
    private let signatures: [String: CoreMetrics.Counter]
    private let duplicates: CoreMetrics.Counter
    private let cases: [RuleAction: CoreMetrics.Counter]
    private let dynamic = Mutex<[String: CoreMetrics.Counter]>([:])
    private let pendingCases: Prometheus.Gauge
    private let oldestCaseAge: Prometheus.Gauge
    private let breachGauges = Mutex<[String: Prometheus.Gauge]>([:])

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        let factory = PrometheusMetricsFactory(registry: registry)
        self.factory = factory
        activities = Dictionary(
            uniqueKeysWithValues: RuleAction.allCases.map {
                ($0, CoreMetrics.Counter(label: "herdwatch_activities_total", dimensions: [("action", $0.rawValue)], factory: factory))
            })
        evaluation = CoreMetrics.Timer(label: "herdwatch_evaluation_seconds", dimensions: [], factory: factory)
        signatures = Dictionary(
            uniqueKeysWithValues: ["verified", "unsigned", "failed"].map {
                ($0, CoreMetrics.Counter(label: "herdwatch_signatures_total", dimensions: [("status", $0)], factory: factory))
            })
        duplicates = CoreMetrics.Counter(label: "herdwatch_duplicates_total", dimensions: [], factory: factory)
        cases = Dictionary(
            uniqueKeysWithValues: [RuleAction.flag, .hold].map {
                ($0, CoreMetrics.Counter(label: "herdwatch_cases_opened_total", dimensions: [("action", $0.rawValue)], factory: factory))
            })
        pendingCases = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "herdwatch", metricName: "cases", unitName: "pending",
                helpText: "Cases open, in review or escalated"))
        oldestCaseAge = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "herdwatch", metricName: "case_oldest_age", unitName: "seconds",
                helpText: "How long the oldest case not yet closed has waited"))
    }

    /// Sets the case gauges; a queue that is gone loses its series.
    public func record(_ caseMetrics: CaseMetrics) {
        pendingCases.set(Int64(caseMetrics.pending))
        oldestCaseAge.set(caseMetrics.oldestPendingAge ?? 0)
        var breaches = [(Self.allQueues, caseMetrics.slaBreaches)]
        breaches += caseMetrics.queues.map { ($0.name, $0.breaches) }
        breachGauges.withLock { gauges in
            let names = Set(breaches.map(\.0))
            for (name, gauge) in gauges where !names.contains(name) {
                registry.unregisterGauge(gauge)
                gauges[name] = nil
            }
            for (name, count) in breaches {
                let gauge =
                    gauges[name]
                    ?? registry.makeGauge(descriptor: Self.breachedDescriptor, labels: [("queue", name)])
                gauges[name] = gauge
                gauge.set(Int64(count))
            }
        }
    }

    private static var breachedDescriptor: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "herdwatch", metricName: "cases_sla", unitName: "breached",
            helpText: "Cases not closed within the service level")
    }

    /// The `queue` label of the breaches over all cases, under the default service level.
    public static let allQueues = "*"

    public func evaluated(_ verdict: Verdict, duration: Duration) {
        activities[verdict.action]?.increment()
        evaluation.recordNanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    func signature(_ check: SignatureCheck) {
        signatures[check.status.rawValue]?.increment()
    }

    public func duplicate() { duplicates.increment() }

    public func caseOpened(_ reviewCase: ReviewCase) { cases[reviewCase.action]?.increment() }

    func keyFetchFailed(_ code: String) { counter("herdwatch_key_fetch_failures_total", "code", code).increment() }

    func refused(reason: String) { counter("herdwatch_refused_total", "reason", reason).increment() }

    func upstream(_ outcome: String) { counter("herdwatch_upstream_requests_total", "outcome", outcome).increment() }

    func replay(_ outcome: String) { counter("herdwatch_replays_total", "outcome", outcome).increment() }

    private func counter(_ label: String, _ dimension: String, _ value: String) -> CoreMetrics.Counter {
        let key = "\(label)|\(value)"
        return dynamic.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = CoreMetrics.Counter(label: label, dimensions: [(dimension, value)], factory: factory)
            counters[key] = counter
            return counter
        }
    }

    /// The Prometheus text exposition of every metric.
    public func render() -> [UInt8] { registry.emitToBuffer() }
}
