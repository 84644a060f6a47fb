import ArgumentParser
import Foundation
import Harness
import Intake
import Logging
import PostgresNIO
import PostgresStorage

/// `herdwatch-bench nodes`: the check hook of one node on SQLite, one node on PostgreSQL and two nodes sharing
/// PostgreSQL, one after the other in one run, with the CPU each node and the PostgreSQL server spent.
struct NodesBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nodes",
        abstract: "Hook throughput on SQLite, on PostgreSQL, and on two nodes sharing PostgreSQL, with the database's CPU.",
        discussion: """
            Runs, one after the other, each on fresh data: `sqlite` (one `herdwatch serve` on a new SQLite file),
            `postgres` (one node on a new schema of the PostgreSQL database) and `postgres×2` (two nodes on one new
            schema; one wrk whose threads alternate between the nodes, so each gets half the connections). wrk
            posts the ~3.5 KB Create{Note} of `bench serve`, a new activity id per request, to POST /api/v1/check
            with the admin token the first node printed. Reports requests/s, p50/p99, errors (non-2xx answers and
            socket errors), and the CPU seconds of each node and of the PostgreSQL server (the postmaster of the
            bench's own connection and every process it started, those that exited during the run included) as a
            share of the run's wall time: 100 % is one core. The schemas (bench_…) are dropped afterwards.
            Needs wrk and PostgreSQL on this machine (for its CPU); exit status 1 when any request failed.
              swift build -c release
              .build/release/herdwatch-bench nodes --database postgres://herdwatch@127.0.0.1:5432/herdwatch
              make bench-nodes          # the same on a throwaway PostgreSQL cluster (Scripts/with-postgres)
            """)

    @Option(help: ArgumentHelp("The PostgreSQL database (default: $HERDWATCH_DATABASE_URL).", valueName: "url"))
    var database: String?

    @Option(help: "Seconds of load per target.")
    var duration: Int = 20

    @Option(help: "Open connections (the two-node target gives each node half).")
    var connections: Int = 64

    @Option(help: "wrk threads: an even number, so the two-node target splits them between the nodes.")
    var threads: Int = 2

    @Option(help: ArgumentHelp("Rule directory for the nodes.", valueName: "dir"))
    var rules: String = RuleDirectory.defaultPath

    @Option(help: "Output format: text (a table) or json.")
    var format: OutputFormat = .text

    func validate() throws {
        if duration < 1 { throw ValidationError("--duration must be at least 1 second") }
        if threads < 2 || threads % 2 != 0 {
            throw ValidationError("--threads \(threads): give an even number (2, 4, …), so two nodes get half each")
        }
        if connections < threads || connections % threads != 0 {
            throw ValidationError(
                "--connections \(connections): give a multiple of --threads (\(threads)); wrk gives each thread the same number")
        }
    }

    /// The database URL from --database or the environment; nil when neither names one.
    static func databaseURL(option: String?, environment: [String: String]) -> String? {
        for candidate in [option, environment["HERDWATCH_DATABASE_URL"]] {
            if let url = candidate?.trimmingCharacters(in: .whitespaces), !url.isEmpty { return url }
        }
        return nil
    }

    func run() async throws {
        guard let url = Self.databaseURL(option: database, environment: ProcessInfo.processInfo.environment) else {
            throw fail(
                "nodes: no PostgreSQL database to run the postgres targets on; give --database postgres://USER@HOST:PORT/DB "
                    + "or set HERDWATCH_DATABASE_URL (`make bench-nodes` starts a throwaway one)")
        }
        guard let wrk = ServeLoad.find("wrk") else {
            throw fail("nodes: wrk is not installed; install it with `apt-get install -y wrk`")
        }
        guard let herdwatch = Executables.sibling("herdwatch") else {
            throw fail("nodes: no `herdwatch` next to herdwatch-bench to load; build both in one folder: swift build -c release")
        }
        let control: PostgreSQLDatabase
        do {
            // Errors only: the pool's start-up notices are no figures.
            var logger = Logger(label: "herdwatch-bench.nodes")
            logger.logLevel = .error
            control = try PostgreSQLDatabase(url: url, logger: logger)
        } catch {
            throw fail("nodes: --database: \(error)")
        }
        let outcome: Result<NodesReport, any Error>
        do {
            outcome = .success(try await measure(url: url, control: control, wrk: wrk, herdwatch: herdwatch))
        } catch {
            outcome = .failure(error)
        }
        await control.close()
        let report = try outcome.get()
        try format.print(report)
        if !report.problems.isEmpty {
            for problem in report.problems { printToStandardError("herdwatch-bench nodes: \(problem)") }
            throw ExitCode(1)
        }
    }

    private func measure(url: String, control: PostgreSQLDatabase, wrk: String, herdwatch: URL) async throws -> NodesReport {
        let backend: Int32
        do {
            backend = try await Self.backendPID(control)
        } catch {
            throw fail("nodes: could not query \(control.displayURL) (is the server up, the URL right?): \(String(reflecting: error))")
        }
        let cluster = PostgresCluster(backend: backend)
        if cluster == nil {
            printToStandardError(
                "herdwatch-bench nodes: the PostgreSQL server is not a local process (backend \(backend) not found in /proc): "
                    + "its CPU is not measured")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("herdwatch-bench-nodes-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let load = ServeLoad(wrk: wrk, duration: duration, connections: connections, threads: threads, folder: folder)
        let body = ServeLoad.bodyTemplate()
        let tag = "bench_\(getpid())_" + UUID().uuidString.lowercased().prefix(6)
        var report = NodesReport(
            database: control.displayURL, connections: connections, threads: threads, durationSeconds: duration,
            cores: ProcessInfo.processInfo.activeProcessorCount,
            databaseCPUSource: cluster.map { "postmaster \($0.postmaster) and its child processes" } ?? "not measured (not local)")

        // sqlite
        do {
            let node = try ChildServer(executable: herdwatch, arguments: [
                "serve", "--port", "0", "--db", folder.appendingPathComponent("nodes.sqlite").path, "--rules", rules,
                "--log-level", "warning",
            ])
            let target: NodesReport.Target
            do {
                target = try run(name: "sqlite", nodes: [node], cluster: nil, load: load, body: body)
            } catch {
                node.stop(grace: .seconds(10))
                throw error
            }
            report.problems += stop([node], after: target)
            report.targets.append(target)
        }
        // postgres, then postgres×2, each on a schema of its own
        for (name, count) in [("postgres", 1), ("postgres×2", 2)] {
            let schema = "\(tag)_\(count == 1 ? "one" : "two")"
            let nodeURL = try Self.url(url, schema: schema)
            var nodes: [ChildServer] = []
            var target: NodesReport.Target
            do {
                for _ in 0..<count {
                    // The first node creates the schema and prints the admin token; the second shares both.
                    nodes.append(
                        try ChildServer(
                            executable: herdwatch,
                            arguments: ["serve", "--port", "0", "--rules", rules, "--log-level", "warning"],
                            environment: ["HERDWATCH_DATABASE_URL": nodeURL]))
                }
                target = try run(name: name, nodes: nodes, cluster: cluster, load: load, body: body)
            } catch {
                for node in nodes { node.stop(grace: .seconds(10)) }
                await Self.drop(schema: schema, control: control)
                throw error
            }
            report.problems += stop(nodes, after: target)
            target.schema = schema
            target.schemaDropped = await Self.drop(schema: schema, control: control)
            if !target.schemaDropped {
                report.problems.append("schema \(schema) could not be dropped: drop it with DROP SCHEMA \(schema) CASCADE")
            }
            report.targets.append(target)
        }
        return report
    }

    /// Stops the nodes of `target`; returns what went wrong: failed requests, a node that exited during the run or
    /// had to be killed. The nodes' output goes to standard error when anything did.
    private func stop(_ nodes: [ChildServer], after target: NodesReport.Target) -> [String] {
        var problems = target.problems
        for (index, node) in nodes.enumerated() {
            let running = node.process.isRunning
            let stopped = node.stop(grace: .seconds(30))
            if !running {
                problems.append("\(target.name): node \(index + 1) exited during the run with status \(stopped.status)")
            } else if stopped.killed {
                problems.append("\(target.name): node \(index + 1) did not exit within 30 s of SIGTERM and was killed")
            }
        }
        if !problems.isEmpty {
            for (index, node) in nodes.enumerated() {
                printToStandardError("herdwatch-bench nodes: \(target.name) node \(index + 1) output:\n\(node.output)")
            }
        }
        return problems
    }

    /// One wrk run against `nodes` (its threads alternate between them), with the CPU the nodes and the
    /// cluster spent while it ran.
    private func run(name: String, nodes: [ChildServer], cluster: PostgresCluster?, load: ServeLoad, body: String) throws
        -> NodesReport.Target
    {
        let script = try load.script(body: body, headers: ["Authorization": "Bearer \(nodes[0].adminToken)"])
        if nodes.count > 1 {
            // Each thread connects to the next node in turn (wrk's `thread.addr`), after the script's own setup.
            let ports = nodes.map { "\"\($0.port)\"" }.joined(separator: ", ")
            let alternate = """

                local nodePorts = {\(ports)}
                local numberSetup = setup
                local turn = 0
                function setup(thread)
                  numberSetup(thread)
                  turn = turn + 1
                  thread.addr = wrk.lookup("127.0.0.1", nodePorts[(turn - 1) % #nodePorts + 1])[1]
                end

                """
            let handle = try FileHandle(forWritingTo: script)
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(alternate.utf8))
            try handle.close()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: load.wrk)
        process.arguments = [
            "-t\(load.threads)", "-c\(load.connections)", "-d\(load.duration)s", "--latency", "-s", script.path,
            "http://127.0.0.1:\(nodes[0].port)/api/v1/check",
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        printToStandardError("\(name): \(nodes.count) node(s), \(load.duration) s at \(load.connections) connections…")
        let nodeUsage = nodes.map { ProcessUsage(pid: $0.pid) }
        let nodesAtStart = nodeUsage.map { $0.cpuSeconds() }
        let clusterAtStart = cluster?.cpuSeconds()
        let started = ContinuousClock.now
        try process.run()
        let output = ReadAll(pipe)
        process.waitUntilExit()
        let elapsed = ContinuousClock.now - started
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let nodesAtEnd = nodeUsage.map { $0.cpuSeconds() }
        let clusterAtEnd = cluster?.cpuSeconds()
        let text = output.text()
        guard process.terminationStatus == 0, let rate = ServeLoad.number(after: "Requests/sec:", in: text) else {
            throw fail("nodes: wrk failed against \(name):\n\(text)")
        }
        let nodeCPU = zip(nodesAtStart, nodesAtEnd).map { start, end in start.flatMap { start in end.map { $0 - start } } }
        var databaseCPU: Double?
        if let clusterAtStart, let clusterAtEnd { databaseCPU = clusterAtEnd - clusterAtStart }
        let non2xx = Int(ServeLoad.number(after: "Non-2xx or 3xx responses:", in: text) ?? 0)
        let socketErrors = Int(ServeLoad.socketErrors(in: text))
        return NodesReport.Target(
            name: name, nodes: nodes.count, requests: Self.requests(in: text) ?? Int((rate * wall).rounded()),
            requestsPerSecond: rate, p50Milliseconds: ServeLoad.latency("50%", in: text) ?? .nan,
            p99Milliseconds: ServeLoad.latency("99%", in: text) ?? .nan, non2xx: non2xx, socketErrors: socketErrors,
            wallSeconds: wall, nodeCPUSeconds: nodeCPU, nodeCPUShares: nodeCPU.map { $0.map { $0 / wall } },
            databaseCPUSeconds: databaseCPU, databaseCPUShare: databaseCPU.map { $0 / wall }, schema: nil, schemaDropped: false)
    }

    /// wrk's `N requests in T` count.
    static func requests(in text: String) -> Int? {
        guard let line = text.split(separator: "\n").first(where: { $0.contains(" requests in ") }) else { return nil }
        return Int(line.trimmingCharacters(in: .whitespaces).prefix { $0.isNumber })
    }

    /// `url` with its `schema` option replaced by `schema`.
    static func url(_ url: String, schema: String) throws -> String {
        guard var components = URLComponents(string: url) else { throw fail("nodes: --database \(url) is not a URL") }
        components.queryItems = (components.queryItems ?? []).filter { $0.name != "schema" } + [URLQueryItem(name: "schema", value: schema)]
        guard let result = components.string else { throw fail("nodes: --database: could not add schema=\(schema) to the URL") }
        return result
    }

    static func backendPID(_ database: PostgreSQLDatabase) async throws -> Int32 {
        let rows = try await database.client.query("SELECT pg_backend_pid()")
        for try await pid in rows.decode(Int32.self) { return pid }
        throw fail("nodes: SELECT pg_backend_pid() returned no row")
    }

    /// Drops a bench schema; false (and a line on standard error) when that failed.
    @discardableResult
    static func drop(schema: String, control: PostgreSQLDatabase) async -> Bool {
        do {
            _ = try await control.client.query(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \"\(schema)\" CASCADE"))
            return true
        } catch {
            printToStandardError("herdwatch-bench nodes: could not drop schema \(schema): \(String(reflecting: error))")
            return false
        }
    }
}

/// The processes of a PostgreSQL server on this machine: its postmaster (the parent of a backend) and every
/// process the postmaster started.
struct PostgresCluster {
    let postmaster: Int32

    /// The cluster of `backend` (a `pg_backend_pid()`), or nil when it is no local `postgres` process.
    init?(backend: Int32) {
        guard let stat = Self.stat(backend), stat.command == "postgres", let parent = Self.stat(stat.parent),
            parent.command == "postgres"
        else { return nil }
        postmaster = stat.parent
    }

    /// CPU seconds (user + system) of the postmaster, of its children that are running, and of those it has reaped
    /// (its children's time): the difference of two readings is what the server spent in between, including
    /// backends that started or exited in between.
    func cpuSeconds() -> Double? {
        guard let main = Self.stat(postmaster) else { return nil }
        var total = main.cpu + main.childrenCPU
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry), pid != postmaster, let stat = Self.stat(pid), stat.parent == postmaster else { continue }
            total += stat.cpu
        }
        return total
    }

    struct Stat {
        var command: String
        var parent: Int32
        /// utime + stime, in seconds.
        var cpu: Double
        /// cutime + cstime (children waited for), in seconds.
        var childrenCPU: Double
    }

    /// Fields of /proc/PID/stat: comm (2), ppid (4), utime (14), stime (15), cutime (16), cstime (17).
    static func stat(_ pid: Int32) -> Stat? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")")
        else { return nil }
        let command = String(text[text.index(after: open)..<close])
        // Fields after the command start at field 3.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 14, let parent = Int32(fields[1]), let user = Double(fields[11]), let system = Double(fields[12]),
            let childUser = Double(fields[13]), let childSystem = Double(fields[14])
        else { return nil }
        let tick = Double(sysconf(Int32(_SC_CLK_TCK)))
        return Stat(command: command, parent: parent, cpu: (user + system) / tick, childrenCPU: (childUser + childSystem) / tick)
    }
}

/// What `herdwatch-bench nodes` measured.
struct NodesReport: Encodable, TextReport {
    var database: String
    var connections: Int
    var threads: Int
    var durationSeconds: Int
    var cores: Int
    /// Which processes the database CPU counts.
    var databaseCPUSource: String
    var targets: [Target] = []
    /// What makes the run wrong rather than slow: exit status 1.
    var problems: [String] = []

    struct Target: Encodable {
        var name: String
        var nodes: Int
        var requests: Int
        var requestsPerSecond: Double
        var p50Milliseconds: Double
        var p99Milliseconds: Double
        var non2xx: Int
        var socketErrors: Int
        var errors: Int { non2xx + socketErrors }
        var wallSeconds: Double
        /// Per node, nil where /proc could not be read.
        var nodeCPUSeconds: [Double?]
        /// CPU seconds over wall seconds: 1 is one core busy for the whole run.
        var nodeCPUShares: [Double?]
        var databaseCPUSeconds: Double?
        var databaseCPUShare: Double?
        var schema: String?
        var schemaDropped: Bool

        /// Failed requests, as a problem of the run (exit status 1).
        var problems: [String] {
            errors == 0 ? [] : ["\(name): \(errors) requests failed (\(non2xx) non-2xx answers, \(socketErrors) socket errors)"]
        }

        enum CodingKeys: String, CodingKey {
            case name, nodes, requests, requestsPerSecond, p50Milliseconds, p99Milliseconds, non2xx, socketErrors, errors
            case wallSeconds, nodeCPUSeconds, nodeCPUShares, databaseCPUSeconds, databaseCPUShare, schema, schemaDropped
        }

        func encode(to encoder: any Encoder) throws {
            func finite(_ value: Double) -> Double? { value.isFinite ? value : nil }
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(nodes, forKey: .nodes)
            try container.encode(requests, forKey: .requests)
            try container.encode(requestsPerSecond, forKey: .requestsPerSecond)
            try container.encode(finite(p50Milliseconds), forKey: .p50Milliseconds)
            try container.encode(finite(p99Milliseconds), forKey: .p99Milliseconds)
            try container.encode(non2xx, forKey: .non2xx)
            try container.encode(socketErrors, forKey: .socketErrors)
            try container.encode(errors, forKey: .errors)
            try container.encode(wallSeconds, forKey: .wallSeconds)
            try container.encode(nodeCPUSeconds, forKey: .nodeCPUSeconds)
            try container.encode(nodeCPUShares, forKey: .nodeCPUShares)
            try container.encode(databaseCPUSeconds, forKey: .databaseCPUSeconds)
            try container.encode(databaseCPUShare, forKey: .databaseCPUShare)
            try container.encode(schema, forKey: .schema)
            try container.encode(schemaDropped, forKey: .schemaDropped)
        }
    }

    var text: String {
        func percent(_ share: Double?) -> String { share.map { String(format: "%.0f%%", 100 * $0) } ?? "?" }
        var lines = [
            "target        nodes   requests/s    p50 ms    p99 ms   errors   node CPU (each)      database CPU",
        ]
        for target in targets {
            let database = target.name == "sqlite" ? "–" : percent(target.databaseCPUShare)
            lines.append(
                target.name.padding(toLength: 12, withPad: " ", startingAt: 0)
                    + String(format: "  %5d  %11.0f  %8.2f  %8.2f  %7d   ", target.nodes, target.requestsPerSecond,
                        target.p50Milliseconds, target.p99Milliseconds, target.errors)
                    + target.nodeCPUShares.map(percent).joined(separator: " + ").padding(toLength: 19, withPad: " ", startingAt: 0)
                    + "  " + database)
        }
        lines.append(
            "(\(connections) connections and \(threads) wrk threads, \(durationSeconds) s per target; CPU as a share of the run's "
                + "wall time, 100% = one core; \(cores) cores shared by wrk, the nodes and PostgreSQL)")
        lines.append("database: \(database); its CPU: \(databaseCPUSource)")
        let kept = targets.compactMap { target in target.schema.flatMap { target.schemaDropped ? nil : $0 } }
        if !kept.isEmpty { lines.append("schemas left in the database: " + kept.joined(separator: ", ")) }
        for problem in problems { lines.append("problem: \(problem)") }
        return lines.joined(separator: "\n")
    }
}
