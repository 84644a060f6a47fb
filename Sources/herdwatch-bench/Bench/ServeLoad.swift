import Foundation
import Harness

/// Runs wrk against one target and reads its figures.
struct ServeLoad {
    let wrk: String
    let duration: Int
    let connections: Int
    let threads: Int
    let folder: URL

    struct Result {
        var name: String
        var requestsPerSecond: Double
        var p50: Double
        var p99: Double
        var errors: Int
        var rssStartMiB: Double?
        var rssPeakMiB: Double?
        var rssEndMiB: Double?
        /// RSS at the start and after each tenth of the run: whether memory levels off or keeps growing.
        var rssTenthsMiB: [Double]
        /// Server CPU time (user + system) per request answered, in microseconds.
        var serverCPUMicroseconds: Double?
    }

    static func find(_ program: String) -> String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// The bench Note with `@@ID@@` where its status id goes, so each request can carry a new activity id
    /// (a repeated id would be answered from the duplicate cache without evaluation).
    static func bodyTemplate() -> String {
        String(decoding: BenchNote.activity(), as: UTF8.self).replacingOccurrences(of: "112233445566778899", with: "@@ID@@")
    }

    /// A wrk script posting the template with ids unique per thread and request.
    func script(body: String, headers: [String: String]) throws -> URL {
        func lua(_ text: String) -> String {
            var escaped = ""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\\": escaped += "\\\\"
                case "\"": escaped += "\\\""
                case "\n": escaped += "\\n"
                default:
                    if scalar.isASCII { escaped.unicodeScalars.append(scalar) } else {
                        for byte in String(scalar).utf8 { escaped += "\\\(byte)" }
                    }
                }
            }
            return "\"" + escaped + "\""
        }
        let parts = body.components(separatedBy: "@@ID@@").map(lua).joined(separator: ", ")
        var headerLines = "wrk.headers[\"Content-Type\"] = \"application/activity+json\"\n"
        for (name, value) in headers { headerLines += "wrk.headers[\(lua(name))] = \(lua(value))\n" }
        let text = """
            wrk.method = "POST"
            \(headerLines)
            local parts = {\(parts)}
            local threads = 0
            function setup(thread)
              threads = threads + 1
              thread:set("tid", threads)
            end
            local counter = 0
            request = function()
              counter = counter + 1
              local id = tostring(tid) .. string.format("%012d", counter)
              local pieces = {}
              for i, part in ipairs(parts) do
                pieces[#pieces + 1] = part
                if i < #parts then pieces[#pieces + 1] = id end
              end
              return wrk.format(nil, nil, nil, table.concat(pieces))
            end
            """
        let url = folder.appendingPathComponent("post-\(UUID().uuidString).lua")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    func run(name: String, url: String, body: String, headers: [String: String], server: ChildServer) throws -> Result {
        let script = try script(body: body, headers: headers)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: wrk)
        process.arguments = ["-t\(threads)", "-c\(connections)", "-d\(duration)s", "--latency", "-s", script.path, url]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        printToStandardError("\(name): \(duration) s at \(connections) connections…")
        try process.run()
        // Sample the server's memory while the load runs.
        var samples: [Double] = []
        let memory = ProcessUsage(pid: server.pid)
        if let rss = memory.residentMiB() { samples.append(rss) }
        let cpuAtStart = memory.cpuSeconds()
        let output = ReadAll(pipe)
        while process.isRunning {
            Thread.sleep(forTimeInterval: 1)
            if let rss = memory.residentMiB() { samples.append(rss) }
        }
        process.waitUntilExit()
        var cpu: Double?
        if let cpuAtStart, let cpuAtEnd = memory.cpuSeconds() { cpu = cpuAtEnd - cpuAtStart }
        let text = output.text()
        guard process.terminationStatus == 0, let rate = Self.number(after: "Requests/sec:", in: text) else {
            throw fail("wrk failed against \(url):\n\(text)")
        }
        let errors = Int(Self.number(after: "Non-2xx or 3xx responses:", in: text) ?? 0)
            + Int(Self.socketErrors(in: text))
        return Result(
            name: name, requestsPerSecond: rate, p50: Self.latency("50%", in: text) ?? .nan, p99: Self.latency("99%", in: text) ?? .nan,
            errors: errors, rssStartMiB: samples.first, rssPeakMiB: samples.max(), rssEndMiB: samples.last,
            rssTenthsMiB: Self.tenths(of: samples), serverCPUMicroseconds: cpu.map { $0 / (rate * Double(duration)) * 1e6 })
    }

    /// The first sample and the one at each tenth of the way through (eleven values), or none without samples.
    static func tenths(of samples: [Double]) -> [Double] {
        guard !samples.isEmpty else { return [] }
        return (0...10).map { tenth in samples[Int((Double(tenth) * Double(samples.count - 1) / 10).rounded())] }
    }

    static func number(after label: String, in text: String) -> Double? {
        guard let range = text.range(of: label) else { return nil }
        let rest = text[range.upperBound...].drop { $0 == " " || $0 == "\t" }
        return Double(rest.prefix { $0.isNumber || $0 == "." })
    }

    static func socketErrors(in text: String) -> Double {
        guard let line = text.split(separator: "\n").first(where: { $0.contains("Socket errors:") }) else { return 0 }
        return line.split(whereSeparator: { !$0.isNumber }).compactMap { Double($0) }.reduce(0, +)
    }

    /// A latency percentile in milliseconds from wrk's `--latency` table.
    static func latency(_ percentile: String, in text: String) -> Double? {
        guard let line = text.split(separator: "\n").first(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix(percentile) })
        else { return nil }
        guard let value = line.split(separator: " ").last.map(String.init) else { return nil }
        let units: [(String, Double)] = [("us", 0.001), ("ms", 1), ("s", 1000), ("m", 60_000)]
        for (unit, factor) in units where value.hasSuffix(unit) {
            return Double(value.dropLast(unit.count)).map { $0 * factor }
        }
        return nil
    }

    static func report(_ results: [Result], connections: Int, duration: Int) {
        let bare = results.first { $0.name == "bare endpoint" }?.requestsPerSecond
        print("target                      requests/s    p50 ms    p99 ms   vs bare   errors   server CPU µs/req   RSS start/peak/end MiB")
        for result in results {
            let ratio = bare.map { String(format: "%7.1f%%", 100 * result.requestsPerSecond / $0) } ?? "      –"
            let rss = [result.rssStartMiB, result.rssPeakMiB, result.rssEndMiB].map { $0.map { String(format: "%.0f", $0) } ?? "?" }
                .joined(separator: "/")
            print(
                result.name.padding(toLength: 26, withPad: " ", startingAt: 0)
                    + String(format: "%12.0f  %8.2f  %8.2f  ", result.requestsPerSecond, result.p50, result.p99)
                    + ratio + String(format: "  %7d   ", result.errors)
                    + (result.serverCPUMicroseconds.map { String(format: "%17.0f   ", $0) } ?? "                ?   ") + rss)
        }
        print("(\(connections) connections, \(duration) s per target, wrk and the server sharing this machine's cores)")
        print("RSS in MiB at the start and after each tenth of the run:")
        for result in results where !result.rssTenthsMiB.isEmpty {
            print("  " + result.name.padding(toLength: 26, withPad: " ", startingAt: 0)
                + result.rssTenthsMiB.map { String(format: "%.0f", $0) }.joined(separator: " "))
        }
        if let hook = results.first(where: { $0.name == hookName }) {
            print("")
            for line in targetLines(hook: hook, connections: connections) { print(line) }
        }
    }

    static let hookName = "hook POST /api/v1/check"

    /// Whether a hook run meets the performance issue's target, one line per part: at 64 connections, at least
    /// 10,000 requests/s with a p99 of at most 10 ms, and memory at a level rather than climbing: the highest RSS
    /// sampled in the second half of the run within 20 % of the highest in the first half (leaving out the start,
    /// before the caches have filled).
    static func targetLines(hook: Result, connections: Int) -> [String] {
        func mark(_ pass: Bool) -> String { pass ? "PASS" : "MISS" }
        var lines = ["target for the hook at 64 connections: ≥ 10,000 requests/s, p99 ≤ 10 ms, memory level"]
        if connections != 64 {
            lines.append("  (this run used \(connections) connections: the figures are not comparable with the target)")
        }
        let rate = hook.requestsPerSecond
        lines.append(
            "  requests/s   " + String(format: "%9.0f", rate) + "      " + mark(rate >= 10_000)
                + (rate >= 10_000 ? "" : String(format: " (%.0f requests/s short)", (10_000 - rate).rounded(.up))))
        let p99 = hook.p99
        let p99Met = p99.isFinite && p99 <= 10
        lines.append(
            "  p99 ms       " + String(format: "%9.2f", p99) + "      " + mark(p99Met)
                + (p99Met || !p99.isFinite ? "" : String(format: " (%.2f ms over)", p99 - 10)))
        let tenths = hook.rssTenthsMiB
        if tenths.count == 11 {
            let firstHalf = tenths[1...5].max() ?? 0
            let secondHalf = tenths[6...10].max() ?? 0
            let level = secondHalf <= firstHalf * 1.2
            lines.append(
                "  memory       highest RSS " + String(format: "%.0f", firstHalf) + " MiB in tenths 1–5, "
                    + String(format: "%.0f", secondHalf) + " MiB in tenths 6–10      " + mark(level)
                    + (level ? "" : " (still climbing: run --duration 300 to see whether it levels off)"))
        }
        return lines
    }
}

/// Reads a pipe to the end on a background thread, so the writer never blocks on a full pipe.
final class ReadAll: @unchecked Sendable {
    // Safe: `data` is written by the reading thread before `done` is signalled and read only after.
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ pipe: Pipe) {
        let handle = pipe.fileHandleForReading
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    func text() -> String {
        done.wait()
        return String(decoding: data, as: UTF8.self)
    }
}
