import ArgumentParser
import AsyncHTTPClient
import Foundation
import HerdwatchServer
import Intake
import Logging
import NIOCore
import NIOPosix
import ReviewQueue
import RuleEngine
import Synchronization

/// `herdwatch-bench media`: what `media.inspect` costs a delivery, timed through the hook's path (`Gate.check`)
/// against images served from 127.0.0.1.
struct BenchMedia: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "media",
        abstract:
            "Time deliveries with one image through the gate: media inspection off, cached, fetched, and too slow.",
        discussion: """
            Serves the QR fixtures from a Hummingbird server on 127.0.0.1 and builds the
            gate as the server does with media.inspect (a MediaInspector decoding on a
            thread pool, with the rules of --rules), then times one verified delivery
            with one image at a time in four modes:
              off       inspection off: the rules alone
              cached    inspection on, the image's codes already cached
              fetched   inspection on, every delivery's image at a new URL: fetched and decoded
              slow      inspection on, the image answers after --slow-delay-ms, past a
                        deadline of --slow-timeout-ms: the delivery waits for the deadline,
                        then is assessed without the image
            Reports median, p90 and p99 per mode, deliveries per second one at a time, and
            CPU per delivery (the image server runs in this process and is counted too).
            Build with -c release; see Benchmarks/README.md.
            """)

    @Option(help: "Deliveries timed in the off, cached and fetched modes.")
    var count = 2_000

    @Option(help: "Deliveries timed in the slow mode (each waits for the deadline).")
    var slowCount = 20

    @Option(help: ArgumentHelp("The deadline of the slow mode, in milliseconds.", valueName: "ms"))
    var slowTimeoutMs = 200

    @Option(help: ArgumentHelp("How late the slow image answers, in milliseconds.", valueName: "ms"))
    var slowDelayMs = 1_000

    @Option(help: ArgumentHelp("Directory of rule files (default: $HERDWATCH_RULES or Rules).", valueName: "dir"))
    var rules: String = RuleDirectory.defaultPath

    @Option(help: ArgumentHelp("The PNG served: it must hold a QR code with a link.", valueName: "path"))
    var image = "Fixtures/media/qr-shortener.png"

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func validate() throws {
        guard count >= 1 else { throw ValidationError("--count must be at least 1") }
        guard slowCount >= 1 else { throw ValidationError("--slow-count must be at least 1") }
        guard slowTimeoutMs >= 1 else { throw ValidationError("--slow-timeout-ms must be at least 1") }
        guard slowDelayMs > slowTimeoutMs else {
            throw ValidationError(
                "--slow-delay-ms (\(slowDelayMs)) must be longer than --slow-timeout-ms (\(slowTimeoutMs))")
        }
    }

    func run() async throws {
        guard let image = FileManager.default.contents(atPath: self.image) else {
            throw fail("the image \(self.image) cannot be read; run from the repository's root or give --image PATH")
        }
        let engines = RuleEngineHolder(RuleEngine(ruleSet: try Self.ruleSet(rules)))
        let server = BenchImageServer(image: ByteBuffer(bytes: image), slowDelay: .milliseconds(slowDelayMs))
        // Images are fetched by the server's client and decoded where the server decodes them: on a thread pool.
        let pool = NIOThreadPool(numberOfThreads: max(2, System.coreCount))
        pool.start()
        let client = ServerComponents.makeHTTPClient()
        let report: MediaBenchReport
        do {
            report = try await server.serving { base in
                try await measure(
                    base: base, server: server, engines: engines, client: client, work: ThreadPoolWork(pool: pool),
                    imageBytes: image.count)
            }
        } catch {
            try? await client.shutdown()
            try? await pool.shutdownGracefully()
            throw error
        }
        try await client.shutdown()
        try await pool.shutdownGracefully()
        try format.print(report)
    }

    /// The rules of `directory` and the bench's own rule, which fires when a link came from an image: the
    /// verdicts it is in are the deliveries whose QR code was read in time.
    static func ruleSet(_ directory: String) throws -> RuleSet {
        let base = try RuleDirectory.load(directory)
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent(
            "herdwatch-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: temporary) }
        try Data(
            """
            rules:
              - id: \(MediaBenchReport.mediaRule)
                description: A link came from an image (herdwatch-bench media counts these verdicts)
                types: [Create]
                when: {field: links.from_media, gte: 1}
                score: 0.01
            """.utf8
        ).write(to: temporary.appendingPathComponent("bench.yaml"))
        let extra = try RuleDirectory.load(temporary.path)
        return RuleSet(
            rules: base.rules + extra.rules, policy: base.policy, version: base.version, warnings: base.warnings)
    }

    private func measure(
        base: String, server: BenchImageServer, engines: RuleEngineHolder, client: HTTPClient, work: ThreadPoolWork,
        imageBytes: Int
    ) async throws -> MediaBenchReport {
        func gate(inspect: Bool, timeout: TimeInterval) -> Gate {
            var logger = Logger(label: "herdwatch-bench-media")
            logger.logLevel = .warning
            let settings = MediaInspectionSettings(enabled: inspect, timeout: timeout, allowPrivateAddresses: true)
            return Gate(
                engines: engines, reputation: nil, cases: InMemoryCaseStore(), keys: nil, signatureMode: .enforce,
                work: work,
                metrics: ServerMetrics(), logger: logger,
                media: inspect ? MediaInspector(client: client, settings: settings, work: work) : nil)
        }
        let cachedURL = "\(base)/cached/\(BenchImageServer.image)"
        let slowTimeout = TimeInterval(slowTimeoutMs) / 1000
        let defaultTimeout = MediaInspectionSettings().timeout
        var modes: [MediaBenchReport.Mode] = []
        var sequence = 0
        // Each mode warms up on deliveries of its own kind first (the cached mode's warm-up also fills the cache).
        let plan: [(name: String, gate: Gate, count: Int, warmUp: Int, timeout: TimeInterval, url: (Int) -> String)] = [
            ("off", gate(inspect: false, timeout: defaultTimeout), count, max(10, count / 10), 0, { _ in cachedURL }),
            (
                "cached", gate(inspect: true, timeout: defaultTimeout), count, max(10, count / 10), defaultTimeout,
                { _ in cachedURL }
            ),
            (
                "fetched", gate(inspect: true, timeout: defaultTimeout), count, max(10, count / 10), defaultTimeout,
                { "\(base)/fresh/\($0)/\(BenchImageServer.image)" }
            ),
            (
                "slow", gate(inspect: true, timeout: slowTimeout), slowCount, 2, slowTimeout,
                { "\(base)/slow/\($0)/\(BenchImageServer.image)" }
            ),
        ]
        for mode in plan {
            printToStandardError("herdwatch-bench media: \(mode.name), \(mode.count) deliveries")
            for _ in 0..<mode.warmUp {
                sequence += 1
                let envelope = try Self.delivery(sequence, image: mode.url(sequence))
                _ = await mode.gate.check(envelope)
            }
            let requestsBefore = server.requests
            var samples: [Double] = []
            samples.reserveCapacity(mode.count)
            var actions: [String: Int] = [:]
            var fromMedia = 0
            let cpuBefore = Self.cpuSeconds()
            let clock = ContinuousClock()
            let started = clock.now
            for _ in 0..<mode.count {
                sequence += 1
                let envelope = try Self.delivery(sequence, image: mode.url(sequence))
                let start = clock.now
                let outcome = await mode.gate.check(envelope)
                samples.append(LatencySampler.microseconds(start.duration(to: clock.now)) / 1000)
                guard let verdict = outcome.verdict else {
                    throw fail("the gate gave no verdict for a delivery in mode \(mode.name) (\(outcome.disposition))")
                }
                actions[verdict.action.rawValue, default: 0] += 1
                if verdict.hits.contains(where: { $0.rule == MediaBenchReport.mediaRule }) { fromMedia += 1 }
            }
            let seconds = LatencySampler.microseconds(started.duration(to: clock.now)) / 1e6
            let cpu = Self.cpuSeconds() - cpuBefore
            samples.sort()
            modes.append(
                MediaBenchReport.Mode(
                    mode: mode.name, deliveries: mode.count, fetchTimeoutMs: Int((mode.timeout * 1000).rounded()),
                    medianMs: Self.percentile(0.5, of: samples), p90Ms: Self.percentile(0.9, of: samples),
                    p99Ms: Self.percentile(0.99, of: samples), deliveriesPerSecond: Double(mode.count) / seconds,
                    cpuMsPerDelivery: cpu * 1000 / Double(mode.count),
                    deliveriesPerCoreSecond: cpu > 0 ? Double(mode.count) / cpu : nil, linksFromMedia: fromMedia,
                    imageRequests: server.requests - requestsBefore, actions: actions))
        }
        return MediaBenchReport(
            count: count, slowCount: slowCount, slowDelayMs: slowDelayMs, imageBytes: imageBytes, modes: modes)
    }

    /// A verified delivery (as the check hook is told) of a post with one PNG, mentioning one local user.
    static func delivery(_ number: Int, image: String) throws -> Envelope {
        let json = """
            {"id":"bench-\(number)","signature":"verified","activity":{"id":"https://open.example/users/q\(number % 50)/statuses/\(number)/activity",
             "type":"Create","actor":"https://open.example/users/q\(number % 50)",
             "object":{"id":"https://open.example/users/q\(number % 50)/statuses/\(number)","type":"Note","content":"",
              "tag":[{"type":"Mention","href":"https://here.example/users/a"}],
              "attachment":[{"type":"Document","mediaType":"image/png","url":"\(image)"}]}}}
            """
        return try Envelope.parse(Array(json.utf8))
    }

    /// This process's user and system CPU time, to the microsecond (`/proc`'s ticks are too coarse for the
    /// fast modes).
    static func cpuSeconds() -> Double {
        var usage = rusage()
        guard getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) == 0 else { return 0 }
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// Nearest-rank percentile of sorted samples.
    static func percentile(_ fraction: Double, of sorted: [Double]) -> Double {
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}

struct MediaBenchReport: Encodable, TextReport {
    /// The bench's rule: fires when a link came from an image.
    static let mediaRule = "bench.link-from-media"

    struct Mode: Encodable {
        var mode: String
        var deliveries: Int
        /// The inspection's deadline (0 when off).
        var fetchTimeoutMs: Int
        var medianMs: Double
        var p90Ms: Double
        var p99Ms: Double
        /// One delivery at a time, waits included.
        var deliveriesPerSecond: Double
        /// Process CPU (user and system) per delivery, the in-process image server included.
        var cpuMsPerDelivery: Double
        /// What one core would do if it only did this: deliveries per CPU-second.
        var deliveriesPerCoreSecond: Double?
        /// Verdicts in which a link read from the image counted.
        var linksFromMedia: Int
        /// Requests the image server answered while the mode was timed.
        var imageRequests: Int
        var actions: [String: Int]
    }

    var count: Int
    var slowCount: Int
    var slowDelayMs: Int
    var imageBytes: Int
    var modes: [Mode]

    var text: String {
        var lines = [
            "one verified delivery with one \(imageBytes)-byte QR PNG at a time, through the hook's path (Gate.check)",
            "mode      deadline  deliveries  median ms   p90 ms   p99 ms  deliveries/s  CPU ms/delivery  per core-s  from media  image requests",
        ]
        for mode in modes {
            lines.append(
                mode.mode.padding(toLength: 9, withPad: " ", startingAt: 0)
                    + String(
                        format: "%6d ms  %10d  %9.3f %8.3f %8.3f  %12.0f  %15.3f  %10.0f  %10d  %14d",
                        mode.fetchTimeoutMs, mode.deliveries, mode.medianMs, mode.p90Ms, mode.p99Ms,
                        mode.deliveriesPerSecond,
                        mode.cpuMsPerDelivery, mode.deliveriesPerCoreSecond ?? .nan, mode.linksFromMedia,
                        mode.imageRequests))
        }
        lines.append(
            "slow: the image answers after \(slowDelayMs) ms; the delivery is assessed at the deadline without it")
        return lines.joined(separator: "\n")
    }
}
