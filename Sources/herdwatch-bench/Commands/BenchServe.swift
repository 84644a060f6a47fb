import ArgumentParser
import Foundation
import Harness
import HerdwatchServer
import Intake

/// `herdwatch-bench serve`: load on the running server with wrk, next to a bare endpoint in the same run.
struct BenchServe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Load-test the check hook and the inbox firewall with wrk.",
        discussion: """
            Starts, one after the other: a bare Hummingbird endpoint that reads the body and answers 202, then
            `herdwatch serve` (default rules, reputation on a fresh SQLite file) hit on POST /api/v1/check, then
            `herdwatch serve --upstream` in front of the bare endpoint hit on POST /inbox. Each gets the same
            ~3.5 KB Create{Note} with a new activity id per request, from wrk with the given connections.
            Reports requests/s, p50/p99 latency, the ratio to the bare endpoint and the server's memory (RSS,
            sampled every second: start, peak and end, then at each tenth of the run, to tell a level from a
            climb). Runs the `herdwatch` next to this executable. Needs wrk (apt-get install -y wrk) and a
            release build:
              swift build -c release && .build/release/herdwatch-bench serve
              .build/release/herdwatch-bench serve --duration 300 --only hook   # the 5-minute memory run
            """)

    @Option(help: "Seconds of load per target.")
    var duration: Int = 20

    @Option(help: "Open connections.")
    var connections: Int = 64

    @Option(help: "wrk threads.")
    var threads: Int = 2

    @Option(help: "Run only these targets (bare, hook, proxy); repeatable.")
    var only: [String] = []

    @Option(help: ArgumentHelp("Rule directory for the server.", valueName: "dir"))
    var rules: String = RuleDirectory.defaultPath

    func validate() throws {
        for target in only where !["bare", "hook", "proxy"].contains(target) {
            throw ValidationError("--only \(target): use bare, hook or proxy")
        }
        if duration < 1 { throw ValidationError("--duration must be at least 1 second") }
    }

    func run() async throws {
        guard let wrk = ServeLoad.find("wrk") else {
            throw fail("wrk is not installed; install it with `apt-get install -y wrk`")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("herdwatch-bench-serve-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let body = ServeLoad.bodyTemplate()
        let targets = only.isEmpty ? ["bare", "hook", "proxy"] : only
        let load = ServeLoad(wrk: wrk, duration: duration, connections: connections, threads: threads, folder: folder)
        var results: [ServeLoad.Result] = []
        guard let herdwatch = Executables.sibling("herdwatch"), let bench = Executables.sibling("herdwatch-bench") else {
            throw fail("no `herdwatch` next to herdwatch-bench to load; build both in one folder: swift build -c release")
        }

        let bare = try ChildServer(executable: bench, arguments: ["bare-endpoint", "--port", "0"])
        defer { bare.stop() }
        if targets.contains("bare") {
            results.append(try load.run(name: "bare endpoint", url: "http://127.0.0.1:\(bare.port)/inbox", body: body, headers: [:], server: bare))
        }
        if targets.contains("hook") {
            let server = try ChildServer(executable: herdwatch, arguments: [
                "serve", "--port", "0", "--db", folder.appendingPathComponent("hook.sqlite").path, "--rules", rules,
                "--log-level", "warning",
            ])
            defer { server.stop() }
            results.append(
                try load.run(
                    name: ServeLoad.hookName, url: "http://127.0.0.1:\(server.port)/api/v1/check", body: body,
                    headers: ["Authorization": "Bearer \(server.adminToken)"], server: server))
        }
        if targets.contains("proxy") {
            let server = try ChildServer(
                executable: herdwatch,
                arguments: [
                    "serve", "--port", "0", "--db", folder.appendingPathComponent("proxy.sqlite").path, "--rules", rules,
                    "--upstream", "http://127.0.0.1:\(bare.port)", "--log-level", "warning",
                ],
                environment: ["HERDWATCH_SIGNATURES_MODE": "evaluate"])
            defer { server.stop() }
            results.append(
                try load.run(
                    name: "firewall POST /inbox", url: "http://127.0.0.1:\(server.port)/inbox", body: body, headers: [:],
                    server: server))
        }
        ServeLoad.report(results, connections: connections, duration: duration)
    }
}

/// The hidden yardstick server `bench serve` starts.
struct BenchBareEndpoint: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bare-endpoint", abstract: "A server that reads the body and answers 202 (for bench serve).",
        shouldDisplay: false)

    @Option var port: Int = 0

    func run() async throws {
        try await BareEndpoint.run(host: "127.0.0.1", port: port) { port in
            FileHandle.standardOutput.write(Data("herdwatch-bench: listening on http://127.0.0.1:\(port)\n".utf8))
        }
    }
}
