import AsyncHTTPClient
import Foundation
import HerdwatchTestSupport
import NIOCore
import Testing

/// Mastodon.py and FediBlockHole 0.4.6 against a real `herdwatch serve` on 127.0.0.1, run from the venv that
/// `make pydeps` creates (Tests/RealClients/blocklist_clients.py checks each client's results exactly).
@Suite("Real blocklist clients", .serialized)
struct BlocklistClientTests {
    static let python = CLI.root.appendingPathComponent(".build/python-venv/bin/python")
    static let script = CLI.root.appendingPathComponent("Tests/RealClients/blocklist_clients.py")

    /// A database with 250 blocks (d000 to d249; every third a silence, the rest suspensions), a server on it,
    /// and a token made as an admin would: `herdwatch token create --scope admin:read --scope admin:write`.
    struct Live {
        let folder: URL
        let database: String
        let server: ChildServer
        let token: String

        init(seeded: Bool) throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                "herdwatch-clients-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            database = folder.appendingPathComponent("herdwatch.sqlite").path
            if seeded {
                let list = folder.appendingPathComponent("seed.csv")
                let rows = (0..<250).map { number in
                    let domain = "d\(String(format: "%03d", number)).example"
                    return "\(domain),\(number % 3 == 0 ? "silence" : "suspend"),false,false,,false"
                }
                try (["#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate"] + rows)
                    .joined(separator: "\n").write(to: list, atomically: true, encoding: .utf8)
                let imported = try CLI.run(["blocklist", "import", "--db", database, list.path])
                #expect(imported.status == 0, "\(imported.stderr)")
            }
            let created = try CLI.run([
                "token", "create", "--scope", "admin:read", "--scope", "admin:write", "--name", "clients", "--db",
                database,
            ])
            #expect(created.status == 0, "\(created.stderr)")
            token = String(created.stdout.split(separator: "\n").last ?? "")
            server = try ChildServer.serve(["--db", database, "--rules", CLI.root.appendingPathComponent("Rules").path])
        }

        /// Runs the script's `mode`; its standard output and error come back together (one pipe, so a chatty
        /// client never blocks on a full second pipe).
        func run(_ mode: String) throws -> (status: Int32, output: String) {
            #expect(
                FileManager.default.isExecutableFile(atPath: BlocklistClientTests.python.path),
                "no Python venv with the clients at .build/python-venv; run `make pydeps`")
            let process = Process()
            process.executableURL = BlocklistClientTests.python
            process.arguments = [BlocklistClientTests.script.path, mode, String(server.port), token, folder.path]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let text = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: text, as: UTF8.self))
        }

        /// The database's active blocks, as `herdwatch blocklist list` prints them.
        func list() throws -> [String] {
            try CLI.run(["blocklist", "list", "--db", database]).stdout.split(separator: "\n").map(String.init)
        }

        func stop() {
            _ = server.stop()
            try? FileManager.default.removeItem(at: folder)
        }
    }

    @Test func mastodonPyCreatesListsUpdatesAndDeletes() throws {
        let live = try Live(seeded: false)
        defer { live.stop() }
        let result = try live.run("mastodonpy")
        #expect(result.status == 0, "\(result.output)")
        #expect(try live.list() == ["quiet.example\tsuspend\tnow suspended"])
    }

    @Test func fediBlockHoleReadsEveryPageOfTheAdminAPI() throws {
        let live = try Live(seeded: true)
        defer { live.stop() }
        let result = try live.run("source")
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func fediBlockHoleReadsEachPublishedCSVFormat() throws {
        let live = try Live(seeded: true)
        defer { live.stop() }
        let result = try live.run("urls")
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func fediBlockHolePushesAddsAndEscalationsAndNormalisedDuplicatesAre422() throws {
        let live = try Live(seeded: true)
        defer { live.stop() }
        let result = try live.run("push")
        #expect(result.status == 0, "\(result.output)")
        let list = try live.list()
        #expect(list.count == 251, "\(result.output)")
        #expect(list.contains("new.example\tsuspend\tspam"))
        #expect(list.contains("d000.example\tsuspend+reject_media\tescalated"))
        #expect(list.contains("d001.example\tsuspend\t"))
        #expect(list.contains("d003.example\tsilence\t"))
    }

    /// `herdwatch blocklist import` on the database of a running server: the server picks it up without a restart.
    @Test func anImportByAnotherProcessReachesTheRunningServer() async throws {
        let live = try Live(seeded: false)
        defer { live.stop() }
        let list = live.folder.appendingPathComponent("late.txt")
        try "late.example\n".write(to: list, atomically: true, encoding: .utf8)
        #expect(try CLI.run(["blocklist", "import", "--db", live.database, list.path]).status == 0)
        let url = URL(string: "http://127.0.0.1:\(live.server.port)/herdwatch/blocklist.csv?format=plain")!
        var published = ""
        for _ in 0..<50 where published != "late.example\n" {
            try await Task.sleep(for: .milliseconds(200))
            let request = HTTPClientRequest(url: url.absoluteString)
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
            published = String(buffer: try await response.body.collect(upTo: 1 << 16))
        }
        #expect(published == "late.example\n")
    }
}
