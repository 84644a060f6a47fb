/// Times one operation per iteration with the monotonic clock, after a warm-up, and summarises the spread.
enum LatencySampler {
    struct Summary: Encodable {
        var iterations: Int
        var medianMicroseconds: Double
        var p90Microseconds: Double
        var p99Microseconds: Double
    }

    static func measure(iterations: Int, _ operation: () throws -> Void) rethrows -> Summary {
        for _ in 0..<max(10, iterations / 10) { try operation() }
        let clock = ContinuousClock()
        var samples: [Double] = []
        samples.reserveCapacity(iterations)
        for _ in 0..<iterations {
            let start = clock.now
            try operation()
            samples.append(microseconds(start.duration(to: clock.now)))
        }
        samples.sort()
        return Summary(
            iterations: iterations, medianMicroseconds: percentile(0.5, of: samples),
            p90Microseconds: percentile(0.9, of: samples), p99Microseconds: percentile(0.99, of: samples))
    }

    static func microseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1e6 + Double(attoseconds) / 1e12
    }

    /// Nearest-rank percentile of sorted samples.
    private static func percentile(_ fraction: Double, of sorted: [Double]) -> Double {
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}
