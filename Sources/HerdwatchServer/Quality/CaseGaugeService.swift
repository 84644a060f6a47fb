import ServiceLifecycle

/// Refreshes the Prometheus case gauges every `interval`, so that they move between scrapes too; stops on
/// graceful shutdown.
struct CaseGaugeService: Service {
    let quality: CaseQuality
    let interval: Duration

    func run() async throws {
        await repeatUntilShutdown(every: interval) { await quality.refreshGauges() }
    }
}
