import Foundation
import Testing

/// `herdwatch bench serve` end to end: wrk against a real `herdwatch serve` on loopback, briefly.
@Suite("herdwatch bench serve", .serialized)
struct BenchServeTests {
    @Test func loadsTheHookAndReportsRatesLatencyAndMemoryOverTheRun() throws {
        let result = try CLI.run(["bench", "serve", "--duration", "2", "--connections", "2", "--threads", "1", "--only", "hook"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let row = try #require(lines.first { $0.hasPrefix("hook POST /api/v1/check") }, "\(result.stdout)")
        let numbers = row.dropFirst("hook POST /api/v1/check".count).split(separator: " ").compactMap { Double($0) }
        // requests/s, p50, p99, errors, server CPU per request (the ratio column is "–" without the bare run).
        #expect(numbers.count >= 5, "\(row)")
        #expect(numbers.first ?? 0 > 0, "no requests answered: \(row)")
        #expect(numbers.count >= 4 && numbers[3] == 0, "errors: \(row)")
        // The memory line: eleven samples in MiB, from the start of the run to its end.
        let index = try #require(lines.firstIndex { $0.hasPrefix("RSS in MiB at the start and after each tenth") })
        let samples = lines[index + 1].dropFirst(2).dropFirst(26).split(separator: " ").compactMap { Double($0) }
        #expect(lines[index + 1].contains("hook POST /api/v1/check"))
        #expect(samples.count == 11, "\(lines[index + 1])")
        #expect(samples.allSatisfy { $0 > 1 }, "\(lines[index + 1])")
    }
}
