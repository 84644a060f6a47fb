import ServiceLifecycle

/// The loop of every periodic service: `work`, then a pause of `interval`, until graceful shutdown or
/// cancellation ends the pause. `startingWithAPause` pauses first, for work that has nothing to do at start-up.
func repeatUntilShutdown(
    every interval: Duration, startingWithAPause: Bool = false, _ work: @escaping @Sendable () async -> Void
) async {
    try? await cancelWhenGracefulShutdown {
        if !startingWithAPause { await work() }
        while true {
            try await Task.sleep(for: interval)
            await work()
        }
    }
}
