import Foundation
import Logging
import ReviewQueue

/// The review queue's metrics, QA and evidence retention, for the routes and services that serve them: nil
/// `store` when the case store computes no metrics (the routes then answer 503).
struct CaseQuality: Sendable {
    let store: (any CaseMetricsStore)?
    let qa: (any CaseQAStore)?
    let settings: ReviewQualitySettings
    let metrics: ServerMetrics
    let logger: Logger

    init(cases: any CaseStore, settings: ReviewQualitySettings, metrics: ServerMetrics, logger: Logger) {
        store = cases as? any CaseMetricsStore
        qa = cases as? any CaseQAStore
        self.settings = settings
        self.metrics = metrics
        self.logger = logger
    }

    static let unavailableMessage =
        "the case store computes no metrics; run the server on its SQLite database (database.path)"

    func current(at now: Date = Date()) async throws -> CaseMetrics? {
        try await store?.metrics(at: now, defaultSLAMinutes: settings.slaMinutes)
    }

    /// Sets the Prometheus case gauges from the store; a failure is logged and leaves the last values.
    func refreshGauges(at now: Date = Date()) async {
        do {
            if let current = try await current(at: now) { metrics.record(current) }
        } catch {
            logger.warning("cannot compute the case metrics for /metrics", metadata: ["error": "\(error)"])
        }
    }
}
