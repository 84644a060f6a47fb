import Foundation
import HerdwatchTestSupport
import Testing

@testable import herdwatch_bench

/// The PostgreSQL server the tests use (Scripts/with-postgres names it).
private let nodesPostgresURL = ProcessInfo.processInfo.environment["HERDWATCH_TEST_POSTGRES_URL"].flatMap {
    $0.isEmpty ? nil : $0
}

private let wrkInstalled = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    .contains { FileManager.default.isExecutableFile(atPath: "\($0)/wrk") }

/// Runs `herdwatch-bench` with `environment` instead of this process's (so HERDWATCH_DATABASE_URL can be left out).
private func bench(_ arguments: [String], environment: [String: String]) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = CLI.binary.deletingLastPathComponent().appendingPathComponent("herdwatch-bench")
    process.arguments = arguments
    process.environment = environment
    process.currentDirectoryURL = CLI.root
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
}

/// `herdwatch-bench nodes`: the hook on SQLite, on PostgreSQL and on two nodes sharing PostgreSQL, in one run.
@Suite("bench nodes")
struct NodesBenchTests {
    /// A tiny run with the debug build. Not a timing test: it checks that every target answered requests without
    /// errors, that the two-node target loaded both nodes, that the CPU of the nodes and of PostgreSQL was measured,
    /// and that the bench's schemas are gone afterwards.
    @Test(
        .enabled(if: nodesPostgresURL != nil, "needs HERDWATCH_TEST_POSTGRES_URL (Scripts/with-postgres)"),
        .enabled(if: wrkInstalled, "needs wrk (apt-get install -y wrk)"))
    func aTinyRunMeasuresThreeTargetsWithTheirCPU() throws {
        let url = try #require(nodesPostgresURL)
        var environment = ProcessInfo.processInfo.environment
        environment["HERDWATCH_DATABASE_URL"] = nil
        let result = try bench(
            ["nodes", "--database", url, "--duration", "2", "--connections", "4", "--format", "json"], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect((report["problems"] as? [String])?.isEmpty == true)
        #expect((report["database"] as? String)?.hasPrefix("postgres://") == true)
        let targets = try #require(report["targets"] as? [[String: Any]])
        #expect(targets.map { $0["name"] as? String } == ["sqlite", "postgres", "postgres×2"])
        #expect(targets.map { $0["nodes"] as? Int } == [1, 1, 2])
        for target in targets {
            let name = target["name"] as? String ?? "?"
            #expect((target["requests"] as? Int ?? 0) > 0, "\(name)")
            #expect((target["requests_per_second"] as? Double ?? 0) > 0, "\(name)")
            #expect(target["errors"] as? Int == 0, "\(name)")
            let shares = try #require(target["node_cpu_shares"] as? [Double], "\(name)")
            #expect(shares.count == target["nodes"] as? Int, "\(name)")
            #expect(shares.allSatisfy { $0 > 0 }, "every node worked: \(name) \(shares)")
            if name == "sqlite" {
                #expect(target["database_cpu_share"] is NSNull, "no PostgreSQL in the SQLite target")
                #expect(target["schema"] is NSNull)
            } else {
                // Measured (the hook writes to PostgreSQL in batches, so a 2 s run may spend less than a clock tick there).
                let share = try #require(target["database_cpu_share"] as? Double, "PostgreSQL CPU measured: \(name)")
                #expect(share >= 0 && share < Double(report["cores"] as? Int ?? 0) + 0.5)
                #expect((target["schema"] as? String)?.hasPrefix("bench_") == true)
                #expect(target["schema_dropped"] as? Bool == true)
            }
        }
        #expect((report["database_cpu_source"] as? String)?.hasPrefix("postmaster ") == true)

        // The table says the same in text.
        let text = try bench(
            ["nodes", "--database", url, "--duration", "1", "--connections", "2"], environment: environment)
        #expect(text.status == 0, "\(text.stderr)")
        let rows = text.stdout.split(separator: "\n").map { $0.split(separator: " ").first.map(String.init) }
        #expect(rows.contains("postgres×2") && rows.contains("sqlite") && rows.contains("postgres"))
    }

    /// Without --database and without HERDWATCH_DATABASE_URL there is nothing to run the PostgreSQL targets on:
    /// refused before anything starts, saying what to give.
    @Test func aRunWithoutADatabaseIsRefusedSayingWhatToGive() throws {
        var environment = ProcessInfo.processInfo.environment
        environment["HERDWATCH_DATABASE_URL"] = nil
        let result = try bench(["nodes", "--duration", "1"], environment: environment)
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(
            result.stderr.contains(
                "no PostgreSQL database to run the postgres targets on; give --database postgres://USER@HOST:PORT/DB "
                    + "or set HERDWATCH_DATABASE_URL"))
        // An empty variable is no URL either.
        environment["HERDWATCH_DATABASE_URL"] = ""
        #expect(try bench(["nodes", "--duration", "1"], environment: environment).status == 2)
    }

    /// An odd number of threads cannot be split evenly between two nodes: refused by the option check.
    @Test func threadsAndConnectionsMustSplitEvenlyBetweenTwoNodes() throws {
        let environment = ProcessInfo.processInfo.environment
        let odd = try bench(["nodes", "--database", "postgres://u@127.0.0.1/db", "--threads", "3"], environment: environment)
        #expect(odd.status == 64)
        #expect(odd.stderr.contains("--threads 3: give an even number"))
        let uneven = try bench(
            ["nodes", "--database", "postgres://u@127.0.0.1/db", "--threads", "2", "--connections", "5"], environment: environment)
        #expect(uneven.status == 64)
        #expect(uneven.stderr.contains("--connections 5: give a multiple of --threads (2)"))
    }

    /// Each target gets its own schema: the URL's schema option is replaced, its other options kept.
    @Test func eachTargetGetsItsOwnSchemaInTheURL() throws {
        #expect(
            try NodesBench.url("postgres://u@127.0.0.1:5432/db?sslmode=disable&schema=prod", schema: "bench_1_one")
                == "postgres://u@127.0.0.1:5432/db?sslmode=disable&schema=bench_1_one")
        #expect(try NodesBench.url("postgres://u:pw@h/db", schema: "bench_1_two") == "postgres://u:pw@h/db?schema=bench_1_two")
        #expect(NodesBench.databaseURL(option: nil, environment: ["HERDWATCH_DATABASE_URL": " "]) == nil)
        #expect(NodesBench.databaseURL(option: nil, environment: ["HERDWATCH_DATABASE_URL": "postgres://e@h/d"]) == "postgres://e@h/d")
        #expect(NodesBench.databaseURL(option: "postgres://o@h/d", environment: ["HERDWATCH_DATABASE_URL": "postgres://e@h/d"]) == "postgres://o@h/d")
    }

    /// Failed requests make the run fail (exit status 1) and are named with their kind; none make no problem.
    @Test func failedRequestsAreAProblemOfTheRun() {
        var target = NodesReport.Target(
            name: "postgres×2", nodes: 2, requests: 1000, requestsPerSecond: 500, p50Milliseconds: 1, p99Milliseconds: 2,
            non2xx: 0, socketErrors: 0, wallSeconds: 2, nodeCPUSeconds: [1, 1], nodeCPUShares: [0.5, 0.5],
            databaseCPUSeconds: 0.1, databaseCPUShare: 0.05, schema: "bench_1_two", schemaDropped: true)
        #expect(target.problems.isEmpty)
        target.non2xx = 3
        target.socketErrors = 2
        #expect(target.problems == ["postgres×2: 5 requests failed (3 non-2xx answers, 2 socket errors)"])
        var report = NodesReport(
            database: "postgres://u@h/d", connections: 4, threads: 2, durationSeconds: 2, cores: 2, databaseCPUSource: "x")
        report.targets = [target]
        report.problems = target.problems
        #expect(report.text.contains("problem: postgres×2: 5 requests failed"))
    }

    /// The database's processes are read from /proc: a process's parent and CPU; a backend that is no `postgres`
    /// process (here: this test) is no cluster to measure.
    @Test func processesAreReadFromProc() throws {
        let me = try #require(PostgresCluster.stat(getpid()))
        #expect(me.parent == getppid())
        #expect(me.cpu >= 0 && me.childrenCPU >= 0)
        #expect(PostgresCluster(backend: getpid()) == nil)
        // wrk's `N requests in T` line.
        #expect(NodesBench.requests(in: "  2 threads and 4 connections\n  1234 requests in 2.00s, 300.00KB read\n") == 1234)
    }
}
