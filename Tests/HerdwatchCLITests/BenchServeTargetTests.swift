import Testing

@testable import herdwatch_bench

/// `herdwatch-bench serve` judges the hook's run against the performance issue's target.
@Suite("bench serve targets")
struct BenchServeTargetTests {
    private func hook(rate: Double, p99: Double, tenths: [Double]) -> ServeLoad.Result {
        ServeLoad.Result(
            name: ServeLoad.hookName, requestsPerSecond: rate, p50: p99 / 3, p99: p99, errors: 0, rssStartMiB: tenths.first,
            rssPeakMiB: tenths.max(), rssEndMiB: tenths.last, rssTenthsMiB: tenths, serverCPUMicroseconds: 80)
    }

    private let level: [Double] = [61, 123, 123, 134, 134, 124, 134, 134, 123, 135, 134]

    @Test func aRunWithinTheTargetPassesEveryPart() {
        let lines = ServeLoad.targetLines(hook: hook(rate: 21_865, p99: 8.03, tenths: level), connections: 64)
        #expect(lines.count == 4)
        #expect(lines[1].contains("21865") && lines[1].hasSuffix("PASS"))
        #expect(lines[2].contains("8.03") && lines[2].hasSuffix("PASS"))
        #expect(lines[3].contains("134 MiB in tenths 1–5") && lines[3].contains("135 MiB in tenths 6–10") && lines[3].hasSuffix("PASS"))
    }

    @Test func tooFewRequestsOrTooSlowAnAnswerIsAMissWithHowFarOff() {
        let slow = ServeLoad.targetLines(hook: hook(rate: 9_999, p99: 13.75, tenths: level), connections: 64)
        #expect(slow[1].contains("MISS (1 requests/s short)"))
        #expect(slow[2].contains("MISS (3.75 ms over)"))
        let edge = ServeLoad.targetLines(hook: hook(rate: 10_000, p99: 10, tenths: level), connections: 64)
        #expect(edge[1].hasSuffix("PASS") && edge[2].hasSuffix("PASS"))
    }

    @Test func memoryStillClimbingInTheSecondHalfIsAMiss() {
        let climbing: [Double] = [61, 80, 95, 110, 125, 140, 155, 170, 185, 200, 215]
        let lines = ServeLoad.targetLines(hook: hook(rate: 20_000, p99: 8, tenths: climbing), connections: 64)
        #expect(lines[3].contains("MISS"))
        #expect(lines[3].contains("--duration 300"))
    }

    @Test func anotherConnectionCountIsFlaggedAsNotComparable() {
        let lines = ServeLoad.targetLines(hook: hook(rate: 20_000, p99: 8, tenths: level), connections: 16)
        #expect(lines[1].contains("16 connections"))
    }

    @Test func aRunWithoutMemorySamplesStillJudgesRateAndLatency() {
        let lines = ServeLoad.targetLines(hook: hook(rate: 20_000, p99: 8, tenths: []), connections: 64)
        #expect(lines.count == 3)
        #expect(lines.allSatisfy { !$0.contains("MISS") })
    }
}
