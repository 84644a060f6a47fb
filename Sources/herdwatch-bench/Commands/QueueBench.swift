import Access
import ActivityPub
import ArgumentParser
import AsyncHTTPClient
import Foundation
import Harness
import Intake
import NIOCore
import NIOHTTP1
import ReviewQueue
import RuleEngine
import Storage

/// `herdwatch-bench queue`: moderators working the review queue of a running server over its JSON API.
struct QueueBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "Simulated moderators work a queue of 100,000 cases through the API of a running server.",
        discussion: """
            Loads --cases open cases (copies of Fixtures/activities with their own ids, actors and hosts, and the
            verdicts the default rules give them) into a fresh SQLite file, creates --moderators moderator
            accounts with bound tokens and a lead who signs in with a browser session, and starts the
            `herdwatch serve` next to this executable on that file. Then, for --duration seconds each:
              hook alone        wrk on POST /api/v1/check, nobody moderating          (without --no-hook)
              moderators        each loops `cases/next`, think time, `cases/ID/decide` (reject, spam) over
                                keep-alive HTTP/1.1; the queue page GET /herdwatch/ is timed --page-requests
                                times, spread over the run
              both              wrk on the hook again while the moderators work        (without --no-hook)
            Every case id `next` hands out must be new: one handed out twice is a violation. Afterwards the file
            is read back: every decision reported must be a closed case.
            Targets (issue 19): next and decide p99 < 20 ms, no duplicates, queue page p99 < 100 ms, hook
            throughput down by less than 10 % while the moderators work.
            Exit status: 0 after measuring (targets met or not); 1 when a case was handed out twice, a request
            failed or the file disagrees with the decisions; 2 on usage errors. Needs a release build of both
            executables in one folder, and wrk (apt-get install -y wrk) unless --no-hook.
            """)

    @Option(help: "Open cases to load.")
    var cases = 100_000

    @Option(help: "Simulated moderators working at once.")
    var moderators = 20

    @Option(help: "Seconds of each timed run.")
    var duration = 60

    @Option(name: .customLong("think-ms"), help: "Milliseconds a moderator waits between next and decide.")
    var thinkMilliseconds = 0

    @Option(
        name: .customLong("think-jitter-ms"),
        help: ArgumentHelp(
            "Spread each think time uniformly over think-ms ± this many milliseconds (at most think-ms), so the moderators are not in lockstep.",
            valueName: "ms"))
    var thinkJitterMilliseconds = 0

    @Option(help: "Timed requests of the queue page while the moderators work.")
    var pageRequests = 50

    @Flag(help: "Leave out the hook's throughput (no wrk needed).")
    var noHook = false

    @Option(help: "wrk connections on the hook.")
    var connections = 64

    @Option(help: "wrk threads.")
    var threads = 2

    @Option(help: ArgumentHelp("Rule directory for the verdicts and the server.", valueName: "dir"))
    var rules: String = RuleDirectory.defaultPath

    @Option(help: ArgumentHelp("Activities the cases are copies of.", valueName: "dir"))
    var fixtures = "Fixtures/activities"

    @Option(help: ArgumentHelp("SQLite file to create and keep (default: a temporary one, removed).", valueName: "path"))
    var db: String?

    @Option(help: "Output format: text (a table) or json.")
    var format: OutputFormat = .text

    func validate() throws {
        guard cases >= 100 else { throw ValidationError("--cases must be at least 100") }
        guard (1...200).contains(moderators) else { throw ValidationError("--moderators must be between 1 and 200") }
        guard duration >= 1 else { throw ValidationError("--duration must be at least 1 second") }
        guard thinkJitterMilliseconds >= 0, thinkJitterMilliseconds <= thinkMilliseconds else {
            throw ValidationError("--think-jitter-ms must be between 0 and --think-ms (\(thinkMilliseconds))")
        }
        guard thinkMilliseconds >= 0, pageRequests >= 1 else {
            throw ValidationError("--think-ms must be at least 0 and --page-requests at least 1")
        }
        if let db, FileManager.default.fileExists(atPath: db) {
            throw ValidationError("--db \(db) exists; the bench fills a new file: remove it or name another")
        }
    }

    func run() async throws {
        guard let herdwatch = Executables.sibling("herdwatch") else {
            throw fail("no `herdwatch` next to herdwatch-bench to load; build both in one folder: swift build -c release")
        }
        let wrk = noHook ? nil : ServeLoad.find("wrk")
        if !noHook, wrk == nil {
            throw fail("wrk is not installed; install it with `apt-get install -y wrk`, or leave the hook out with --no-hook")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("herdwatch-bench-queue-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = db ?? folder.appendingPathComponent("queue.sqlite").path

        let templates = try QueueCases.templates(fixtures: fixtures, rules: rules)
        printToStandardError("loading \(cases) cases into \(path)…")
        let loaded = try await QueueCases.load(count: cases, templates: templates, path: path)
        let people = try await QueueCases.people(moderators: moderators, path: path)

        let server = try ChildServer(
            executable: herdwatch,
            arguments: ["serve", "--port", "0", "--db", path, "--rules", rules, "--log-level", "warning"])
        defer { server.stop() }
        let base = "http://127.0.0.1:\(server.port)"

        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.httpVersion = .http1Only
        configuration.connectionPool = .init(
            idleTimeout: .seconds(600), concurrentHTTP1ConnectionsPerHostSoftLimit: moderators + 4)
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let outcome: Result<QueueBenchReport, any Error>
        do {
            outcome = .success(
                try await measure(client: client, base: base, server: server, wrk: wrk, folder: folder, people: people, loaded: loaded))
        } catch {
            outcome = .failure(error)
        }
        try await client.shutdown()
        var report = try outcome.get()
        report.serverKilled = server.stop(grace: .seconds(30)).killed
        report.closedInDatabase = try await QueueCases.closedCount(path: path)
        try format.print(report)
        if !report.problems.isEmpty {
            for problem in report.problems { printToStandardError("herdwatch-bench queue: \(problem)") }
            throw ExitCode(1)
        }
    }

    private func measure(
        client: HTTPClient, base: String, server: ChildServer, wrk: String?, folder: URL, people: QueueCases.People,
        loaded: QueueCases.Loaded
    ) async throws -> QueueBenchReport {
        let api = QueueHTTP(client: client, base: base)
        var report = QueueBenchReport(
            cases: loaded.count, loadSeconds: loaded.seconds, databaseMiB: loaded.databaseMiB, moderators: moderators,
            durationSeconds: duration, thinkMilliseconds: thinkMilliseconds)
        report.thinkJitterMilliseconds = thinkJitterMilliseconds
        let load = wrk.map { ServeLoad(wrk: $0, duration: duration, connections: connections, threads: threads, folder: folder) }
        let hookHeaders = ["Authorization": "Bearer \(people.hookToken)"]
        let body = ServeLoad.bodyTemplate()
        let hookURL = "\(base)/api/v1/check"

        if let load {
            report.loadAverages["hook alone"] = Self.loadAverage()
            report.hookAlone = QueueBenchReport.Hook(
                try await Self.onThread {
                    try load.run(name: "hook alone", url: hookURL, body: body, headers: hookHeaders, server: server)
                })
        }

        let session = try await api.signIn(username: people.browserUsername, password: people.browserPassword)
        report.loadAverages["moderators"] = Self.loadAverage()
        let think = ThinkTime(milliseconds: thinkMilliseconds, jitter: thinkJitterMilliseconds)
        let pages = pageRequests
        let seconds = duration
        let serverCPU = ProcessUsage(pid: server.pid)
        let cpuBefore = serverCPU.cpuSeconds()
        async let pageTimes = api.timePages(session: session, count: pages, over: .seconds(seconds))
        let alone = try await Self.work(api: api, tokens: people.moderatorTokens, queues: people.queues, for: .seconds(seconds), think: think)
        report.queuePage = Percentiles(try await pageTimes)
        report.moderatorsAlone = alone.phase(cpuSeconds: cpuBefore.flatMap { before in serverCPU.cpuSeconds().map { $0 - before } })
        var handedOut = alone.ids

        if let load {
            report.loadAverages["both"] = Self.loadAverage()
            async let hook = Self.onThread {
                try load.run(name: "hook while moderating", url: hookURL, body: body, headers: hookHeaders, server: server)
            }
            let both = try await Self.work(api: api, tokens: people.moderatorTokens, queues: people.queues, for: .seconds(seconds), think: think)
            report.hookWhileModerating = QueueBenchReport.Hook(try await hook)
            report.moderatorsWithHook = both.phase(cpuSeconds: nil)
            handedOut += both.ids
        }
        report.handedOut = handedOut.count
        report.duplicates = Self.duplicates(in: handedOut)
        return report
    }

    /// Ids handed out more than once: each extra hand-out counts.
    static func duplicates(in ids: [Int64]) -> Int {
        ids.count - Set(ids).count
    }

    /// Every moderator working at once until `duration` is over (or their queue is empty).
    static func work(
        api: QueueHTTP, tokens: [String], queues: [String?], for duration: Duration, think: ThinkTime
    ) async throws -> ModeratorTally {
        let deadline = ContinuousClock.now + duration
        let start = ContinuousClock.now
        var total = ModeratorTally()
        try await withThrowingTaskGroup(of: ModeratorTally.self) { group in
            for (index, token) in tokens.enumerated() {
                let queue = queues[index % queues.count]
                group.addTask { await api.moderate(token: token, queue: queue, until: deadline, think: think) }
            }
            for try await tally in group { total.merge(tally) }
        }
        total.seconds = LatencySampler.microseconds(start.duration(to: .now)) / 1e6
        return total
    }

    /// Runs blocking work (wrk and its sampling loop) on a thread of its own, off the cooperative pool.
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }

    /// The 1-, 5- and 15-minute load averages (the machine is shared: they say how busy it was).
    static func loadAverage() -> String {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }
}

// MARK: - Cases and people

/// Builds the queue: the cases, the moderators' accounts and tokens, and the lead who signs in.
enum QueueCases {
    /// A fixture activity with the verdict the rules give it, ready to be copied with new ids.
    struct Template: Sendable {
        var name: String
        var body: String
        var activityID: String
        var actorID: String
        var host: String
        var verdict: Verdict
    }

    struct Loaded: Sendable {
        var count: Int
        var seconds: Double
        var databaseMiB: Double
    }

    struct People: Sendable {
        var moderatorTokens: [String]
        /// The queue each moderator works, round robin (nil: every open case).
        var queues: [String?]
        var browserUsername: String
        var browserPassword: String
        var hookToken: String
    }

    /// The fixtures that have an id, an actor and a host, each with the default rules' verdict; a fixture the rules
    /// let through borrows the hits of the others (so every case has rules, tags and evidence to show).
    static func templates(fixtures: String, rules: String) throws -> [Template] {
        let engine = RuleEngine(ruleSet: try RuleDirectory.load(rules))
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: fixtures).filter { $0.hasSuffix(".json") }.sorted()
        } catch {
            throw fail("cannot list the fixtures in \(fixtures): \(error.localizedDescription); run from the package's folder or pass --fixtures")
        }
        var templates: [Template] = []
        for file in files {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: fixtures).appendingPathComponent(file)))
            guard let activity = try? Activity.decode(bytes), let id = activity.id, let actor = activity.actorID,
                let host = URL(string: actor)?.host, id.contains(host), let verdict = try? engine.evaluate(activity: bytes)
            else { continue }
            templates.append(
                Template(name: file, body: String(decoding: bytes, as: UTF8.self), activityID: id, actorID: actor, host: host, verdict: verdict))
        }
        let pool = templates.flatMap(\.verdict.hits)
        guard templates.count >= 5, !pool.isEmpty else {
            throw fail("\(fixtures) holds \(templates.count) usable activities and the rules in \(rules) fire on none; the bench needs Fixtures/activities and Rules")
        }
        for index in templates.indices where templates[index].verdict.hits.isEmpty {
            templates[index].verdict.hits = [pool[index % pool.count]]
            templates[index].verdict.score = pool[index % pool.count].score
        }
        return templates
    }

    /// Case `number`: a copy of a template on one of 400 hosts by one of 50 actors there, held (a third, with the
    /// request as received) or flagged, with a score and age that vary so priorities differ, and a campaign size on
    /// one in ten.
    static func newCase(_ number: Int, templates: [Template], now: Date) -> NewCase {
        var random = SplitMix64(seed: UInt64(number) &* 0x9E37_79B9 &+ 19)
        let template = templates[Int(random.next() % UInt64(templates.count))]
        let hostNumber = Int(random.next() % 400)
        let host = "social\(hostNumber).bench-\(hostNumber % 7).example"
        let actor = "https://\(host)/users/member\(random.next() % 50)"
        let id = "https://\(host)/bench/activities/\(number)"
        let body = template.body.replacingOccurrences(of: template.activityID, with: id)
            .replacingOccurrences(of: template.actorID, with: actor)
            .replacingOccurrences(of: template.host, with: host)
        var verdict = template.verdict
        verdict.action = template.verdict.action == .hold || random.next() % 3 == 0 ? .hold : .flag
        verdict.score = max(verdict.score, 1) + Double(random.next() % 200) / 10
        if random.next() % 10 == 0, !verdict.hits.isEmpty {
            let size = 5 + Int(random.next() % 60)
            verdict.hits[0].evidence.append(
                Evidence(kind: .field, field: "campaign.size", detail: "campaign.size = \(size) (≥ 5)"))
        }
        let openedAt = now.addingTimeInterval(-Double(random.next() % (7 * 86_400)))
        let bytes = Array(body.utf8)
        let held = verdict.action == .hold
        let request =
            held
            ? StoredRequest(
                method: "POST", target: "/inbox",
                headers: [
                    .init(name: "Host", value: "home.example"), .init(name: "Content-Type", value: "application/activity+json"),
                    .init(name: "X-Forwarded-For", value: "203.0.113.\(hostNumber % 250)"),
                    .init(name: "Signature", value: "keyId=\"\(actor)#main-key\",headers=\"(request-target) host date digest\""),
                ], body: bytes, receivedAt: openedAt, signedAt: openedAt) : nil
        return NewCase(
            activityID: id, actorID: actor, signer: held ? actor : nil, deliveryKey: "bench-\(number)",
            source: held ? .inbox : .hook, verdict: verdict, body: bytes, request: request, openedAt: openedAt)
    }

    /// Fills a new database with `count` cases, a thousand per transaction, generating the next batch while the
    /// last one is written.
    static func load(count: Int, templates: [Template], path: String) async throws -> Loaded {
        let clock = ContinuousClock()
        let start = clock.now
        let store = SQLiteCaseStore(database: try SQLiteDatabase(path: path))
        let now = Date()
        var writing: Task<Int, any Error>?
        var opened = 0
        for first in stride(from: 0, to: count, by: 1000) {
            let batch = (first..<min(first + 1000, count)).map { newCase($0, templates: templates, now: now) }
            if let writing { opened += try await writing.value }
            writing = Task {
                try await store.open(batch).count { if case .opened = $0 { true } else { false } }
            }
        }
        if let writing { opened += try await writing.value }
        guard opened == count else { throw fail("opened \(opened) of \(count) cases: some were taken for repeats") }
        try await store.saveQueue(CaseQueue(name: "holds", filter: CaseFilter(state: .open, action: .hold)))
        try await store.saveQueue(CaseQueue(name: "flags", filter: CaseFilter(state: .open, action: .flag)))
        let seconds = LatencySampler.microseconds(start.duration(to: clock.now)) / 1e6
        let size = ["", "-wal"].compactMap { try? FileManager.default.attributesOfItem(atPath: path + $0)[.size] as? Int }.reduce(0, +)
        return Loaded(count: opened, seconds: seconds, databaseMiB: Double(size) / 1_048_576)
    }

    /// The moderators (one in four works the `holds` queue, one in four `flags`, the rest every open case), each
    /// with a `moderate` token bound to them; a lead for the browser; a `check` token for the hook.
    static func people(moderators: Int, path: String) async throws -> People {
        // bcrypt at its lowest cost: the moderators never sign in, and the lead's hash is raised on sign-in.
        let access = AccessControl(store: SQLiteAccessStore(database: try SQLiteDatabase(path: path)), passwordCost: 4)
        var tokens: [String] = []
        for number in 1...moderators {
            let account = try await access.createAccount(
                username: String(format: "moderator%02d", number), role: .moderator, password: PasswordHash.generatePassword())
            tokens.append(try await access.issueToken(name: "queue bench", scopes: [.moderate], for: account).secret)
        }
        let password = PasswordHash.generatePassword()
        _ = try await access.createAccount(username: "lead", role: .lead, password: password)
        let hook = try await access.issueToken(name: "queue bench hook", scopes: [.check]).secret
        return People(
            moderatorTokens: tokens, queues: ["holds", "flags", nil, nil], browserUsername: "lead", browserPassword: password,
            hookToken: hook)
    }

    /// Cases closed in the file, read after the server stopped.
    static func closedCount(path: String) async throws -> Int {
        try await SQLiteCaseStore(database: try SQLiteDatabase(path: path)).caseCounts()[.closed, default: 0]
    }
}

// MARK: - HTTP

/// The server's API and pages as the moderators and the lead's browser use them.
struct QueueHTTP: Sendable {
    let client: HTTPClient
    let base: String

    struct Answer {
        var status: UInt
        var headers: HTTPHeaders
        var body: ByteBuffer
    }

    func send(_ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: String? = nil) async throws -> Answer {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await client.execute(request, timeout: .seconds(30))
        let collected = try await response.body.collect(upTo: 32 << 20)
        return Answer(status: response.status.code, headers: response.headers, body: collected)
    }

    private struct LeasedCase: Decodable {
        var id: Int64
        var version: Int
    }

    /// One moderator: next, think, decide (reject as spam), until the deadline or an empty queue.
    func moderate(token: String, queue: String?, until deadline: ContinuousClock.Instant, think: ThinkTime) async -> ModeratorTally {
        var tally = ModeratorTally()
        let headers = [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")]
        let nextBody = queue.map { "{\"queue\":\"\($0)\"}" } ?? "{}"
        let clock = ContinuousClock()
        var failuresInARow = 0
        // With jitter, the moderators also start at different moments within one think time.
        if think.jitter > 0 { try? await Task.sleep(for: .milliseconds(Int.random(in: 0...think.milliseconds))) }
        while clock.now < deadline, failuresInARow < 20 {
            var start = clock.now
            let leased: LeasedCase
            do {
                let answer = try await send(.POST, "/herdwatch/api/v1/cases/next", headers: headers, body: nextBody)
                let elapsed = LatencySampler.microseconds(start.duration(to: clock.now)) / 1000
                if answer.status == 204 {
                    tally.next.append(elapsed)
                    tally.emptyQueue += 1
                    break
                }
                guard answer.status == 200 else {
                    tally.count(failure: "next answered \(answer.status)")
                    failuresInARow += 1
                    continue
                }
                tally.next.append(elapsed)
                leased = try JSONDecoder().decode(LeasedCase.self, from: Data(answer.body.readableBytesView))
                tally.ids.append(leased.id)
            } catch {
                tally.count(failure: "next failed: \(type(of: error))")
                failuresInARow += 1
                continue
            }
            let pause = think.sample()
            if pause > .zero { try? await Task.sleep(for: pause) }
            start = clock.now
            do {
                let answer = try await send(
                    .POST, "/herdwatch/api/v1/cases/\(leased.id)/decide", headers: headers,
                    body: #"{"version":\#(leased.version),"actions":["reject"],"reason":"spam"}"#)
                guard answer.status == 200 else {
                    tally.count(failure: "decide answered \(answer.status)")
                    failuresInARow += 1
                    continue
                }
                tally.decide.append(LatencySampler.microseconds(start.duration(to: clock.now)) / 1000)
                failuresInARow = 0
            } catch {
                tally.count(failure: "decide failed: \(type(of: error))")
                failuresInARow += 1
            }
        }
        return tally
    }

    /// Signs in as a browser does: the login form's CSRF field and cookie, then the form; returns the session cookie.
    func signIn(username: String, password: String) async throws -> String {
        let form = try await send(.GET, "/herdwatch/login")
        let html = String(buffer: form.body)
        guard form.status == 200, let csrf = Self.hidden("csrf", in: html), let loginCookie = Self.cookie("herdwatch-login", in: form.headers)
        else {
            throw fail("GET /herdwatch/login answered \(form.status) without the csrf field and herdwatch-login cookie")
        }
        func encoded(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "" }
        let answer = try await send(
            .POST, "/herdwatch/login",
            headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", "herdwatch-login=\(loginCookie)")],
            body: "username=\(encoded(username))&password=\(encoded(password))&csrf=\(encoded(csrf))")
        guard answer.status == 303, let session = Self.cookie("herdwatch", in: answer.headers) else {
            throw fail("signing in as \(username) answered \(answer.status) without a herdwatch session cookie")
        }
        return session
    }

    /// Times `count` requests of the queue page, spread over `span`, in milliseconds.
    func timePages(session: String, count: Int, over span: Duration) async throws -> [Double] {
        let clock = ContinuousClock()
        let start = clock.now
        var times: [Double] = []
        for number in 0..<count {
            try await Task.sleep(until: start + span * ((Double(number) + 0.5) / Double(count)))
            let before = clock.now
            let page = try await send(.GET, "/herdwatch/", headers: [("Cookie", "herdwatch=\(session)")])
            times.append(LatencySampler.microseconds(before.duration(to: clock.now)) / 1000)
            guard page.status == 200, String(buffer: page.body).contains("</html>") else {
                throw fail("GET /herdwatch/ answered \(page.status) to the signed-in lead")
            }
        }
        return times
    }

    static func hidden(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        let value = html[range.upperBound...].prefix { $0 != "\"" }
        return value.isEmpty ? nil : String(value)
    }

    static func cookie(_ name: String, in headers: HTTPHeaders) -> String? {
        for line in headers["Set-Cookie"] {
            let pair = line.prefix { $0 != ";" }
            if pair.hasPrefix("\(name)=") { return String(pair.dropFirst(name.count + 1)) }
        }
        return nil
    }
}

/// What the moderators did in one run.
struct ModeratorTally: Sendable {
    /// Milliseconds per request.
    var next: [Double] = []
    var decide: [Double] = []
    /// Every case id `next` handed out, in order.
    var ids: [Int64] = []
    var emptyQueue = 0
    var failures: [String: Int] = [:]
    var seconds = 0.0

    mutating func count(failure: String) {
        failures[failure, default: 0] += 1
    }

    mutating func merge(_ other: ModeratorTally) {
        next += other.next
        decide += other.decide
        ids += other.ids
        emptyQueue += other.emptyQueue
        failures.merge(other.failures, uniquingKeysWith: +)
    }

    func phase(cpuSeconds: Double?) -> QueueBenchReport.Work {
        QueueBenchReport.Work(
            seconds: seconds, decisions: decide.count, decisionsPerSecond: Double(decide.count) / max(seconds, 0.001),
            next: Percentiles(next), decide: Percentiles(decide), failures: failures, emptyQueue: emptyQueue,
            serverCPUMillisecondsPerDecision: cpuSeconds.map { decide.isEmpty ? 0 : $0 * 1000 / Double(decide.count) })
    }
}

/// Nearest-rank percentiles of a set of times, in milliseconds.
struct Percentiles: Encodable, Sendable {
    var count: Int
    var p50: Double
    var p90: Double
    var p99: Double
    var max: Double

    init(_ samples: [Double]) {
        let sorted = samples.sorted()
        func rank(_ fraction: Double) -> Double {
            guard !sorted.isEmpty else { return .nan }
            return sorted[Swift.min(Swift.max(Int((fraction * Double(sorted.count)).rounded(.up)), 1), sorted.count) - 1]
        }
        count = sorted.count
        p50 = rank(0.5)
        p90 = rank(0.9)
        p99 = rank(0.99)
        max = sorted.last ?? .nan
    }
}

// MARK: - Report

struct QueueBenchReport: Encodable, TextReport {
    struct Work: Encodable {
        var seconds: Double
        var decisions: Int
        var decisionsPerSecond: Double
        var next: Percentiles
        var decide: Percentiles
        var failures: [String: Int]
        var emptyQueue: Int
        /// The server's CPU time (user + system) per next-and-decide, from /proc/PID/stat.
        var serverCPUMillisecondsPerDecision: Double?
    }

    struct Hook: Encodable {
        var requestsPerSecond: Double
        var p50Milliseconds: Double
        var p99Milliseconds: Double
        var errors: Int

        init(_ result: ServeLoad.Result) {
            requestsPerSecond = result.requestsPerSecond
            p50Milliseconds = result.p50
            p99Milliseconds = result.p99
            errors = result.errors
        }
    }

    struct Target: Encodable {
        var name: String
        var value: Double
        var limit: Double
        var pass: Bool
    }

    var cases: Int
    var loadSeconds: Double
    var databaseMiB: Double
    var moderators: Int
    var durationSeconds: Int
    var thinkMilliseconds: Int
    var thinkJitterMilliseconds = 0
    var moderatorsAlone: Work?
    var moderatorsWithHook: Work?
    var queuePage: Percentiles?
    var hookAlone: Hook?
    var hookWhileModerating: Hook?
    var handedOut = 0
    var duplicates = 0
    var closedInDatabase = 0
    /// Whether the server had to be killed: it did not exit within 30 s of SIGTERM.
    var serverKilled = false
    /// The machine's load averages as each run started.
    var loadAverages: [String: String] = [:]

    init(cases: Int, loadSeconds: Double, databaseMiB: Double, moderators: Int, durationSeconds: Int, thinkMilliseconds: Int) {
        self.cases = cases
        self.loadSeconds = loadSeconds
        self.databaseMiB = databaseMiB
        self.moderators = moderators
        self.durationSeconds = durationSeconds
        self.thinkMilliseconds = thinkMilliseconds
    }

    /// Decisions the moderators were told succeeded, over both runs.
    var decisions: Int { (moderatorsAlone?.decisions ?? 0) + (moderatorsWithHook?.decisions ?? 0) }

    /// The hook's throughput lost while the moderators work, in per cent of its throughput alone.
    var hookDropPercent: Double? {
        guard let alone = hookAlone?.requestsPerSecond, let busy = hookWhileModerating?.requestsPerSecond, alone > 0
        else { return nil }
        return 100 * (alone - busy) / alone
    }

    var targets: [Target] {
        var targets: [Target] = []
        if let work = moderatorsAlone {
            targets.append(Target(name: "next p99 ms", value: work.next.p99, limit: 20, pass: work.next.p99 < 20))
            targets.append(Target(name: "decide p99 ms", value: work.decide.p99, limit: 20, pass: work.decide.p99 < 20))
        }
        targets.append(Target(name: "cases handed out twice", value: Double(duplicates), limit: 0, pass: duplicates == 0))
        if let page = queuePage {
            targets.append(Target(name: "queue page p99 ms", value: page.p99, limit: 100, pass: page.p99 < 100))
        }
        if let drop = hookDropPercent {
            targets.append(Target(name: "hook throughput drop %", value: drop, limit: 10, pass: drop < 10))
        }
        return targets
    }

    /// What makes the run wrong rather than slow: exit status 1.
    var problems: [String] {
        var problems: [String] = []
        if duplicates > 0 {
            problems.append("\(duplicates) of \(handedOut) hand-outs gave a case that had been handed out already")
        }
        for work in [moderatorsAlone, moderatorsWithHook].compactMap({ $0 }) {
            for (failure, count) in work.failures.sorted(by: { $0.key < $1.key }) {
                problems.append("\(failure): \(count) times")
            }
        }
        if serverKilled {
            problems.append("the server did not exit within 30 s of SIGTERM and was killed")
        }
        if closedInDatabase != decisions {
            problems.append("the moderators recorded \(decisions) decisions, the database holds \(closedInDatabase) closed cases")
        }
        return problems
    }

    private enum CodingKeys: String, CodingKey {
        case cases, loadSeconds, databaseMiB, moderators, durationSeconds, thinkMilliseconds, thinkJitterMilliseconds,
            moderatorsAlone,
            moderatorsWithHook, queuePage, hookAlone, hookWhileModerating,
            handedOut, duplicates, closedInDatabase, serverKilled, loadAverages, decisions, hookDropPercent, targets, problems
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(cases, forKey: .cases)
        try container.encode(loadSeconds, forKey: .loadSeconds)
        try container.encode(databaseMiB, forKey: .databaseMiB)
        try container.encode(moderators, forKey: .moderators)
        try container.encode(durationSeconds, forKey: .durationSeconds)
        try container.encode(thinkMilliseconds, forKey: .thinkMilliseconds)
        try container.encode(thinkJitterMilliseconds, forKey: .thinkJitterMilliseconds)
        try container.encodeIfPresent(moderatorsAlone, forKey: .moderatorsAlone)
        try container.encodeIfPresent(moderatorsWithHook, forKey: .moderatorsWithHook)
        try container.encodeIfPresent(queuePage, forKey: .queuePage)
        try container.encodeIfPresent(hookAlone, forKey: .hookAlone)
        try container.encodeIfPresent(hookWhileModerating, forKey: .hookWhileModerating)
        try container.encode(handedOut, forKey: .handedOut)
        try container.encode(duplicates, forKey: .duplicates)
        try container.encode(closedInDatabase, forKey: .closedInDatabase)
        try container.encode(serverKilled, forKey: .serverKilled)
        try container.encode(decisions, forKey: .decisions)
        try container.encode(loadAverages, forKey: .loadAverages)
        try container.encodeIfPresent(hookDropPercent, forKey: .hookDropPercent)
        try container.encode(targets, forKey: .targets)
        try container.encode(problems, forKey: .problems)
    }

    var text: String {
        func ms(_ value: Double) -> String { value.isFinite ? String(format: "%8.2f", value) : "       –" }
        var lines: [String] = []
        lines.append(
            String(
                format: "%d cases loaded in %.1f s (%.0f MiB); %d moderators, %d s per run, think time %d ms", cases, loadSeconds,
                databaseMiB, moderators, durationSeconds, thinkMilliseconds)
                + (thinkJitterMilliseconds > 0 ? " ± \(thinkJitterMilliseconds) ms" : ""))
        lines.append("")
        lines.append("run                       request          count    p50 ms    p90 ms    p99 ms    max ms")
        func rows(_ name: String, _ work: Work?) {
            guard let work else { return }
            for (request, figures) in [("cases/next", work.next), ("cases/ID/decide", work.decide)] {
                lines.append(
                    name.padding(toLength: 26, withPad: " ", startingAt: 0) + request.padding(toLength: 16, withPad: " ", startingAt: 0)
                        + String(format: "%6d  ", figures.count) + [figures.p50, figures.p90, figures.p99, figures.max].map(ms).joined(separator: "  "))
            }
        }
        rows("moderators", moderatorsAlone)
        if let page = queuePage {
            lines.append(
                "moderators".padding(toLength: 26, withPad: " ", startingAt: 0) + "GET /herdwatch/ "
                    + String(format: "%6d  ", page.count) + [page.p50, page.p90, page.p99, page.max].map(ms).joined(separator: "  "))
        }
        rows("moderators + hook load", moderatorsWithHook)
        lines.append("")
        for (name, work) in [("moderators", moderatorsAlone), ("moderators + hook load", moderatorsWithHook)] {
            guard let work else { continue }
            lines.append(
                "\(name): \(work.decisions) decisions in \(String(format: "%.1f", work.seconds)) s, "
                    + String(format: "%.0f", work.decisionsPerSecond) + " a second"
                    + (work.serverCPUMillisecondsPerDecision.map { String(format: ", server CPU %.2f ms per next + decide", $0) } ?? "")
                    + (work.emptyQueue > 0 ? ", \(work.emptyQueue) found their queue empty" : ""))
        }
        if let alone = hookAlone, let busy = hookWhileModerating {
            lines.append("")
            lines.append("hook POST /api/v1/check      requests/s    p50 ms    p99 ms   errors")
            for (name, hook) in [("alone", alone), ("while moderators work", busy)] {
                lines.append(
                    "  " + name.padding(toLength: 26, withPad: " ", startingAt: 0)
                        + String(format: "%12.0f  %8.2f  %8.2f  %7d", hook.requestsPerSecond, hook.p50Milliseconds, hook.p99Milliseconds, hook.errors))
            }
        }
        lines.append("")
        lines.append("handed out \(handedOut) cases, \(duplicates) of them twice; \(closedInDatabase) closed in the file after \(decisions) decisions")
        lines.append("load average at the start of each run: " + loadAverages.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: "; "))
        lines.append("")
        lines.append("targets (issue 19)")
        for target in targets {
            let limit = target.limit == 0 ? "= 0" : "< " + String(format: "%.0f", target.limit)
            lines.append(
                "  " + target.name.padding(toLength: 26, withPad: " ", startingAt: 0) + String(format: "%9.2f", target.value)
                    + "  " + limit.padding(toLength: 6, withPad: " ", startingAt: 0) + "  " + (target.pass ? "PASS" : "MISS"))
        }
        return lines.joined(separator: "\n")
    }
}

/// How long a simulated moderator thinks between `next` and `decide`: `milliseconds`, or uniformly within
/// ± `jitter` of it.
struct ThinkTime: Sendable {
    var milliseconds: Int
    var jitter: Int

    func sample() -> Duration {
        .milliseconds(jitter == 0 ? milliseconds : Int.random(in: (milliseconds - jitter)...(milliseconds + jitter)))
    }
}
