import Access
import ArgumentParser
import AsyncHTTPClient
import Blocklists
import Foundation
import Harness
import NIOCore
import NIOHTTP1
import Storage

/// `herdwatch-bench admin-api`: a Mastodon admin client reading every domain block of a running server, page by
/// page, as FediBlockHole does.
struct AdminAPIBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin-api",
        abstract: "Page through --blocks domain blocks with the Mastodon admin API of a running server.",
        discussion: """
            Fills a fresh SQLite file with --blocks applied domain blocks, creates an admin:read token, starts the
            `herdwatch serve` next to this executable on that file, and once it listens, reads
            GET /api/v1/admin/domain_blocks?limit=--limit from the first page to the last by following each
            `Link: <…>; rel="next"` (as FediBlockHole and Mastodon.py do), --passes times. Every pass must return
            every block exactly once.
            Target (issue 20): at least 5,000 entries/s.
            Exit status: 0 after measuring (target met or not); 1 when a pass missed or repeated a block; 2 on
            usage errors. Needs a release build of both executables in one folder.
            """)

    @Option(help: "Domain blocks in the file.")
    var blocks = 100_000

    @Option(help: "Entries per page (Mastodon's maximum is 200).")
    var limit = 200

    @Option(help: "Timed passes over the whole list; the median is reported.")
    var passes = 3

    @Option(help: "Output format: text (a table) or json.")
    var format: OutputFormat = .text

    func validate() throws {
        guard blocks >= 1 else { throw ValidationError("--blocks must be at least 1") }
        guard (1...200).contains(limit) else { throw ValidationError("--limit must be between 1 and 200") }
        guard passes >= 1 else { throw ValidationError("--passes must be at least 1") }
    }

    func run() async throws {
        guard let herdwatch = Executables.sibling("herdwatch") else {
            throw fail("no `herdwatch` next to herdwatch-bench to load; build both in one folder: swift build -c release")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("herdwatch-bench-admin-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("blocks.sqlite").path

        printToStandardError("writing \(blocks) domain blocks into \(path)…")
        let database = try SQLiteDatabase(path: path)
        let entries = (0..<blocks).map { number in
            DomainBlock(
                domain: "spam\(number).bench-\(number % 97).example", severity: number % 4 == 0 ? .silence : .suspend,
                rejectMedia: number % 3 == 0, publicComment: number % 2 == 0 ? "spam wave" : "",
                provenance: BlockProvenance(origin: .list("admin-api bench")))
        }
        _ = try await SQLiteBlocklistStore(database: database).apply(entries)
        let access = AccessControl(store: SQLiteAccessStore(database: database), passwordCost: 4)
        let token = try await access.issueToken(name: "admin-api bench", scopes: [.adminRead]).secret

        let clock = ContinuousClock()
        let started = clock.now
        let server = try ChildServer(
            executable: herdwatch, arguments: ["serve", "--port", "0", "--db", path, "--log-level", "warning"])
        defer { server.stop() }
        let startSeconds = Self.seconds(started.duration(to: clock.now))

        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.httpVersion = .http1Only
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        var samples: [Double] = []
        var pages = 0
        var problem: String?
        do {
            for _ in 0..<passes {
                let pass = clock.now
                var seen = Set<String>()
                var repeated = 0
                var url: String? = "http://127.0.0.1:\(server.port)/api/v1/admin/domain_blocks?limit=\(limit)"
                pages = 0
                while let next = url {
                    var request = HTTPClientRequest(url: next)
                    request.headers.add(name: "Authorization", value: "Bearer \(token)")
                    let response = try await client.execute(request, timeout: .seconds(60))
                    let body = try await response.body.collect(upTo: 64 << 20)
                    guard response.status == .ok else {
                        throw fail("page \(pages + 1) answered \(response.status.code): \(String(buffer: body).prefix(300))")
                    }
                    let page = try JSONDecoder().decode([Entry].self, from: Data(body.readableBytesView))
                    for entry in page where !seen.insert(entry.id).inserted { repeated += 1 }
                    pages += 1
                    url = LinkHeader.target(rel: "next", in: response.headers["Link"])
                }
                samples.append(Self.seconds(pass.duration(to: clock.now)))
                if seen.count != blocks || repeated > 0 {
                    problem = "a pass returned \(seen.count) of \(blocks) blocks, \(repeated) of them more than once"
                    break
                }
            }
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
        let seconds = samples.sorted()[samples.count / 2]
        let report = AdminAPIBenchReport(
            blocks: blocks, limit: limit, pages: pages, passes: samples.count, serverStartSeconds: startSeconds,
            passSeconds: seconds, entriesPerSecond: Double(blocks) / seconds, targetMet: Double(blocks) / seconds >= 5000)
        try format.print(report)
        if let problem {
            printToStandardError("herdwatch-bench admin-api: \(problem)")
            throw ExitCode(1)
        }
    }

    private struct Entry: Decodable {
        var id: String
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// What `herdwatch-bench admin-api` measured.
struct AdminAPIBenchReport: Encodable, TextReport {
    var blocks: Int
    var limit: Int
    var pages: Int
    var passes: Int
    /// From starting the server to its listening (it loads the blocks first).
    var serverStartSeconds: Double
    /// The median pass over every page.
    var passSeconds: Double
    var entriesPerSecond: Double
    var targetMet: Bool

    var text: String {
        [
            "herdwatch-bench admin-api: \(blocks) blocks, \(pages) pages of \(limit), \(passes) passes",
            String(format: "server start (loads the blocks)   %8.2f s", serverStartSeconds),
            String(format: "one pass over every page          %8.2f s (median)", passSeconds),
            String(format: "entries per second                %8.0f   (target ≥ 5000: %@)", entriesPerSecond, targetMet ? "PASS" : "MISS"),
        ].joined(separator: "\n")
    }
}
