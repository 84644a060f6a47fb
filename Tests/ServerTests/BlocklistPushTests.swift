import Blocklists
import Foundation
import HTTPTypes
import HerdwatchTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Storage
import Synchronization
import Testing

/// A Mastodon admin API on loopback, in memory, whose misbehaviour a test chooses: rate limits, follow counts,
/// refused domains, and a read-back that disagrees with what was written. It pages its list two at a time.
final class FakeMastodon: HTTPResponder, Sendable {
    typealias Context = BasicRequestContext

    struct Block: Codable, Sendable, Equatable {
        var id: String
        var domain: String
        var severity: String
        var rejectMedia: Bool
        var rejectReports: Bool
        var privateComment: String?
        var publicComment: String?
        var obfuscate: Bool
    }

    static let token = "push-test-token"
    let blocks = Mutex<[Block]>([])
    /// How many of the coming writes are answered 429, and with which headers.
    let rateLimited = Mutex<(count: Int, headers: [String: String])>((0, [:]))
    /// `instance_follows` totals by domain.
    let follows = Mutex<[String: Int]>([:])
    /// Domains whose create is refused with 422.
    let refused = Mutex<Set<String>>([])
    /// The host its `Link` headers name (the request's own when nil).
    let linkHost = Mutex<String?>(nil)
    /// Every write is stored as a silence, whatever it asked for.
    let storesSilence = Mutex(false)
    /// Each request, as `METHOD path` with the time it came.
    let log = Mutex<[(line: String, at: ContinuousClock.Instant)]>([])
    /// The keys and the domain of each measures request.
    let measures = Mutex<[(keys: [String], domain: String?)]>([])
    private let nextID = Mutex(100)

    func respond(to request: Request, context: Context) async throws -> Response {
        let path = request.uri.path
        log.withLock { $0.append(("\(request.method.rawValue) \(path)", .now)) }
        guard request.headers[.authorization] == "Bearer \(Self.token)" else { return Response(status: .unauthorized) }
        let body = try await request.body.collect(upTo: 1 << 20)
        let json = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
        if request.method != .get, request.method != .post || path != "/api/v1/admin/measures" {
            let limited = rateLimited.withLock { state -> [String: String]? in
                guard state.count > 0 else { return nil }
                state.count -= 1
                return state.headers
            }
            if let limited {
                var headers = HTTPFields()
                for (name, value) in limited { headers[HTTPField.Name(name)!] = value }
                return Response(status: .tooManyRequests, headers: headers)
            }
        }
        let blocksPath = "/api/v1/admin/domain_blocks"
        switch (request.method, path) {
        case (.get, blocksPath):
            let maxID = request.uri.queryParameters["max_id"].flatMap { Int($0) } ?? .max
            let page = blocks.withLock { $0 }.filter { Int($0.id)! < maxID }.sorted { Int($0.id)! > Int($1.id)! }
                .prefix(2)
            var response = try Self.json(Array(page))
            if page.count == 2, let last = page.last {
                let host = linkHost.withLock { $0 } ?? request.head.authority ?? ""
                response.headers[HTTPField.Name("Link")!] =
                    "<http://\(host)\(blocksPath)?limit=2&max_id=\(last.id)>; rel=\"next\", "
                    + "<http://\(host)\(blocksPath)?limit=2&min_id=\(page[page.startIndex].id)>; rel=\"prev\""
            }
            return response
        case (.post, blocksPath):
            let domain = json["domain"] as? String ?? ""
            if refused.withLock({ $0.contains(domain) }) {
                return try Self.json(
                    ["error": "Validation failed: \(domain) is not allowed here"], status: .unprocessableContent)
            }
            let id = nextID.withLock { id in
                id += 1
                return String(id)
            }
            var block = Block(
                id: id, domain: domain, severity: "silence", rejectMedia: false, rejectReports: false,
                privateComment: nil, publicComment: nil, obfuscate: false)
            set(json, on: &block)
            blocks.withLock { $0.append(block) }
            return try Self.json(block)
        case (.post, "/api/v1/admin/measures"):
            let domain = (json["instance_follows"] as? [String: Any])?["domain"] as? String ?? ""
            let keys = json["keys"] as? [String] ?? []
            measures.withLock { $0.append((keys, domain)) }
            let total = follows.withLock { $0[domain] ?? 0 }
            return try Self.json([["key": "instance_follows", "unit": nil, "total": String(total), "data": []]])
        default:
            guard path.hasPrefix(blocksPath + "/") else { return Response(status: .notFound) }
            let id = String(path.dropFirst(blocksPath.count + 1))
            return try blocks.withLock { blocks in
                guard let index = blocks.firstIndex(where: { $0.id == id }) else { return Response(status: .notFound) }
                switch request.method {
                case .put:
                    set(json, on: &blocks[index])
                    return try Self.json(blocks[index])
                case .delete:
                    blocks.remove(at: index)
                    return try Self.json([String: String]())
                default:
                    return Response(status: .methodNotAllowed)
                }
            }
        }
    }

    private func set(_ json: [String: Any], on block: inout Block) {
        if let severity = json["severity"] as? String { block.severity = severity }
        if storesSilence.withLock({ $0 }) { block.severity = "silence" }
        if let flag = json["reject_media"] as? Bool { block.rejectMedia = flag }
        if let flag = json["reject_reports"] as? Bool { block.rejectReports = flag }
        if let flag = json["obfuscate"] as? Bool { block.obfuscate = flag }
        if let text = json["private_comment"] as? String { block.privateComment = text }
        if let text = json["public_comment"] as? String { block.publicComment = text }
    }

    func add(_ domain: String, _ severity: String, privateComment: String? = nil) {
        let id = nextID.withLock { id in
            id += 1
            return String(id)
        }
        blocks.withLock {
            $0.append(
                Block(
                    id: id, domain: domain, severity: severity, rejectMedia: false, rejectReports: false,
                    privateComment: privateComment, publicComment: nil, obfuscate: false))
        }
    }

    /// Domain and severity of every block, sorted.
    var summary: [String] {
        blocks.withLock { $0 }.map { "\($0.domain) \($0.severity)" }.sorted()
    }

    func requests(_ line: String) -> [ContinuousClock.Instant] {
        log.withLock { $0 }.filter { $0.line == line }.map(\.at)
    }

    private static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    private static func json(_ value: Any, status: HTTPResponse.Status = .ok) throws -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: value))))
    }
}

@Suite("Pushing the applied list to Mastodon servers", .serialized)
struct BlocklistPushTests {
    /// A folder with a local database holding `rows` (Mastodon CSV rows after the header) and a token file.
    struct Local {
        let folder: URL
        let database: String
        let tokenFile: String

        init(_ rows: [String], token: String = FakeMastodon.token) throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                "herdwatch-push-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            database = folder.appendingPathComponent("local.sqlite").path
            tokenFile = folder.appendingPathComponent("token").path
            try (token + "\n").write(toFile: tokenFile, atomically: true, encoding: .utf8)
            try importRows(rows)
        }

        func importRows(_ rows: [String]) throws {
            let list = folder.appendingPathComponent("ours-\(UUID().uuidString).csv")
            try (["#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate"] + rows)
                .joined(separator: "\n").write(to: list, atomically: true, encoding: .utf8)
            let imported = try CLI.run(["blocklist", "import", "--db", database, list.path])
            #expect(imported.status == 0, "\(imported.stderr)")
        }

        /// `herdwatch blocklist push --db … --to ORIGIN --token-file … EXTRA`, run off the test's threads (the
        /// fake server answers on them meanwhile).
        func push(_ origin: String, _ extra: [String] = [], stdin: String? = nil) async throws -> CLI.Output {
            let arguments =
                ["blocklist", "push", "--db", database, "--to", origin]
                + (stdin == nil ? ["--token-file", tokenFile] : [])
                + extra
            return try await withCheckedThrowingContinuation { continuation in
                Thread.detachNewThread { continuation.resume(with: Result { try CLI.run(arguments, stdin: stdin) }) }
            }
        }

        func remove() { try? FileManager.default.removeItem(at: folder) }
    }

    func withFake(_ body: @Sendable (FakeMastodon, String) async throws -> Void) async throws {
        let fake = FakeMastodon()
        let app = Application(responder: fake, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            try await body(fake, "http://127.0.0.1:\(try #require(client.port))")
        }
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func aRateLimitedWriteWaitsAsRetryAfterSaysAndGoesOn() async throws {
        let local = try Local(["a.example,suspend,false,false,,false", "b.example,silence,true,false,spam,false"])
        defer { local.remove() }
        try await withFake { fake, origin in
            fake.add("keep.example", "suspend")
            fake.add("other.example", "silence")
            fake.add("third.example", "noop")
            fake.rateLimited.withLock { $0 = (1, ["Retry-After": "1"]) }
            let result = try await local.push(origin)
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            let posts = fake.requests("POST /api/v1/admin/domain_blocks")
            #expect(posts.count == 3)
            if posts.count == 3 { #expect(posts[1] - posts[0] >= .milliseconds(950)) }
            #expect(
                fake.summary == [
                    "a.example suspend", "b.example silence", "keep.example suspend", "other.example silence",
                    "third.example noop",
                ])
            #expect(fake.blocks.withLock { $0 }.first { $0.domain == "b.example" }?.rejectMedia == true)
            #expect(fake.blocks.withLock { $0 }.first { $0.domain == "b.example" }?.publicComment == "spam")
            // Read twice (before and after) through every page of two.
            #expect(fake.requests("GET /api/v1/admin/domain_blocks").count == 2 + 3)
        }
    }

    @Test func aRateLimitBeyondTheWaitCapFailsEachWriteClearlyWithoutWaiting() async throws {
        let local = try Local(["a.example,suspend,false,false,,false", "b.example,suspend,false,false,,false"])
        defer { local.remove() }
        try await withFake { fake, origin in
            let reset = Date(timeIntervalSinceNow: 3600).formatted(.iso8601)
            fake.rateLimited.withLock { $0 = (100, ["X-RateLimit-Reset": reset]) }
            let started = ContinuousClock.now
            let result = try await local.push(origin, ["--max-rate-limit-wait", "30"])
            #expect(ContinuousClock.now - started < .seconds(20))
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            #expect(
                result.stdout.contains(
                    "+ a.example  suspend  [failed: POST \(origin)/api/v1/admin/domain_blocks: rate limited (429)"))
            #expect(result.stdout.contains("pass the cap of 30 seconds"))
            #expect(fake.requests("POST /api/v1/admin/domain_blocks").count == 2)
            #expect(fake.summary.isEmpty)
        }
    }

    @Test func aSuspensionOfADomainFollowedOverTheCapIsHeld() async throws {
        let local = try Local([
            "followed.example,suspend,false,false,,false", "lonely.example,suspend,false,false,,false",
            "escalate.example,suspend,false,false,,false", "quiet.example,silence,false,false,,false",
        ])
        defer { local.remove() }
        try await withFake { fake, origin in
            fake.add("escalate.example", "silence", privateComment: PushMarker.standard.line)
            fake.follows.withLock { $0 = ["followed.example": 5, "lonely.example": 2, "escalate.example": 3] }
            let result = try await local.push(origin, ["--max-follows", "2", "--format", "json"])
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            #expect(fake.summary == ["escalate.example silence", "lonely.example suspend", "quiet.example silence"])
            let report = try Self.json(result.stdout)
            let creates = try #require(report["creates"] as? [[String: Any]])
            let status = Dictionary(
                uniqueKeysWithValues: creates.map { ($0["domain"] as! String, $0["status"] as! String) })
            #expect(status == ["followed.example": "held", "lonely.example": "done", "quiet.example": "done"])
            let updates = try #require(report["updates"] as? [[String: Any]])
            #expect(updates.map { $0["status"] as? String } == ["held"])
            #expect(updates.map { $0["follows"] as? Int } == [3])
            let asked = fake.measures.withLock { $0 }
            #expect(asked.map(\.keys) == [["instance_follows"], ["instance_follows"], ["instance_follows"]])
            #expect(asked.map(\.domain) == ["escalate.example", "followed.example", "lonely.example"])
        }
    }

    @Test func withoutMaxFollowsNoMeasureIsAsked() async throws {
        let local = try Local(["followed.example,suspend,false,false,,false"])
        defer { local.remove() }
        try await withFake { fake, origin in
            fake.follows.withLock { $0 = ["followed.example": 5] }
            let result = try await local.push(origin)
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            #expect(fake.measures.withLock { $0 }.isEmpty)
            #expect(fake.summary == ["followed.example suspend"])
        }
    }

    @Test func aReadBackThatDisagreesIsReportedPerDomainAndExitsNonZero() async throws {
        let local = try Local(["a.example,suspend,false,false,,false", "b.example,silence,false,false,,false"])
        defer { local.remove() }
        try await withFake { fake, origin in
            fake.storesSilence.withLock { $0 = true }
            let result = try await local.push(origin)
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            #expect(
                result.stdout.split(separator: "\n").filter { $0.hasPrefix("mismatch:") } == [
                    "mismatch: a.example: pushed as suspend, but the server lists silence"
                ])
        }
    }

    @Test func aRefusedDomainIsReportedAndTheRestIsPushed() async throws {
        let local = try Local(["a.example,suspend,false,false,,false", "refuse.example,suspend,false,false,,false"])
        defer { local.remove() }
        try await withFake { fake, origin in
            fake.refused.withLock { $0 = ["refuse.example"] }
            let result = try await local.push(origin)
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            #expect(
                result.stdout.contains(
                    "+ refuse.example  suspend  [failed: POST \(origin)/api/v1/admin/domain_blocks: refused (422): "
                        + "Validation failed: refuse.example is not allowed here]"))
            #expect(fake.summary == ["a.example suspend"])
        }
    }

    @Test func aRefusedTokenStopsThePushWithAClearError() async throws {
        let local = try Local(["a.example,suspend,false,false,,false"], token: "wrong")
        defer { local.remove() }
        try await withFake { fake, origin in
            let result = try await local.push(origin)
            #expect(result.status == 2)
            #expect(result.stderr.contains("the token was refused (401)"))
            #expect(fake.summary.isEmpty)
        }
    }

    @Test func theTokenCanComeOnStandardInput() async throws {
        let local = try Local(["a.example,suspend,false,false,,false"], token: "unused")
        defer { local.remove() }
        try await withFake { fake, origin in
            let result = try await local.push(origin, stdin: FakeMastodon.token + "\n")
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            #expect(fake.summary == ["a.example suspend"])
            let empty = try await local.push(origin, stdin: "")
            #expect(empty.status == 2)
            #expect(empty.stderr.contains("standard input holds no token"))
        }
    }

    @Test func aNextPageOnAnotherHostIsRefusedAndTheTokenNotSentThere() async throws {
        let local = try Local(["a.example,suspend,false,false,,false"])
        defer { local.remove() }
        try await withFake { fake, origin in
            fake.add("one.example", "suspend")
            fake.add("two.example", "suspend")
            fake.linkHost.withLock { $0 = "elsewhere.example" }
            let result = try await local.push(origin)
            #expect(result.status == 2)
            #expect(result.stderr.contains("links its next page to http://elsewhere.example/"))
            #expect(result.stderr.contains("refusing to send the token there"))
            #expect(fake.summary == ["one.example suspend", "two.example suspend"])
        }
    }

    @Test(arguments: [
        ("http://mastodon.example", "uses plain http"), ("ftp://127.0.0.1", "is not an http(s) URL"),
        ("mastodon.example", "is not a server URL"),
    ])
    func plainHTTPIsRefusedExceptToLoopback(url: String, message: String) async throws {
        let local = try Local(["a.example,suspend,false,false,,false"])
        defer { local.remove() }
        let result = try await local.push(url, ["--dry-run"])
        #expect(result.status == 2)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    /// A live Herdwatch (its admin API is Mastodon's) with 250 blocks made by others, so the list takes two pages.
    @Test func pushesToALiveHerdwatchLeavesOthersBlocksAndConvergesAndRetracts() async throws {
        let remote = FileManager.default.temporaryDirectory.appendingPathComponent("herdwatch-push-remote-\(UUID())")
        try FileManager.default.createDirectory(at: remote, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: remote) }
        let remoteDatabase = remote.appendingPathComponent("remote.sqlite").path
        let seed = remote.appendingPathComponent("seed.csv")
        let seeded = (0..<250).map {
            "d\(String(format: "%03d", $0)).example,\($0 % 3 == 0 ? "silence" : "suspend"),false,false,,false"
        }
        try
            (["#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate"] + seeded
            + ["keep.example,suspend,false,false,theirs,false", "conflict.example,silence,false,false,,false"])
            .joined(separator: "\n").write(to: seed, atomically: true, encoding: .utf8)
        #expect(try CLI.run(["blocklist", "import", "--db", remoteDatabase, seed.path]).status == 0)
        let created = try CLI.run([
            "token", "create", "--scope", "admin:read", "--scope", "admin:write", "--name", "push", "--db",
            remoteDatabase,
        ])
        #expect(created.status == 0, "\(created.stderr)")
        let token = String(created.stdout.split(separator: "\n").last ?? "")
        let server = try ChildServer.serve([
            "--db", remoteDatabase, "--rules", CLI.root.appendingPathComponent("Rules").path,
        ])
        defer { server.stop() }
        let origin = "http://127.0.0.1:\(server.port)"
        func remoteList() throws -> [String] {
            try CLI.run(["blocklist", "list", "--db", remoteDatabase]).stdout.split(separator: "\n").map(String.init)
        }

        let local = try Local(
            [
                "new1.example,suspend,false,false,,false", "new2.example,suspend,true,true,known spam,true",
                "new3.example,noop,true,false,,false", "conflict.example,suspend,false,false,,false",
                "d001.example,suspend,false,false,,false",
            ], token: token)
        defer { local.remove() }

        let dryRun = try await local.push(origin, ["--dry-run"])
        #expect(dryRun.status == 0, "\(dryRun.stdout)\(dryRun.stderr)")
        #expect(
            dryRun.stdout.split(separator: "\n").map(String.init) == [
                "+ new1.example  suspend", "+ new2.example  suspend+reject_media+reject_reports",
                "+ new3.example  noop+reject_media",
                "! conflict.example  the server's own block (silence) is milder than ours (suspend); left as it is, "
                    + "change it in Mastodon or add the marker line to its private comment to let the push manage it",
                "dry run, would create 3, update 0, delete 0; 0 unchanged, 1 blocked alike by others, 1 conflicts, "
                    + "0 held, 0 failed, 0 mismatches",
            ])
        #expect(try remoteList().count == 252)

        let first = try await local.push(origin, ["--max-follows", "0"])
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        let afterFirst = try remoteList()
        #expect(afterFirst.count == 255)
        #expect(afterFirst.contains("new2.example\tsuspend+reject_media+reject_reports\tknown spam"))
        #expect(afterFirst.contains("new3.example\tnoop+reject_media\t"))
        #expect(afterFirst.contains("keep.example\tsuspend\ttheirs"))
        #expect(afterFirst.contains("conflict.example\tsilence\t"))
        let store = SQLiteBlocklistStore(database: try SQLiteDatabase(path: remoteDatabase))
        let pushed = try #require(try await store.block(domain: "new2.example"))
        #expect(pushed.privateComment == PushMarker.standard.line)
        #expect(pushed.obfuscate)

        let second = try await local.push(origin, ["--format", "json"])
        #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
        let report = try Self.json(second.stdout)
        #expect((report["creates"] as? [Any])?.isEmpty == true)
        #expect((report["updates"] as? [Any])?.isEmpty == true)
        #expect((report["deletes"] as? [Any])?.isEmpty == true)
        #expect(report["unchanged"] as? Int == 3)
        #expect(try remoteList() == afterFirst)

        let ours = SQLiteBlocklistStore(database: try SQLiteDatabase(path: local.database))
        try await ours.retract(domain: "new1.example", provenance: BlockProvenance(origin: .person("test")))
        try await ours.retract(domain: "d001.example", provenance: BlockProvenance(origin: .person("test")))
        try local.importRows(["new3.example,silence,false,false,now silenced,false"])
        let third = try await local.push(origin)
        #expect(third.status == 0, "\(third.stdout)\(third.stderr)")
        #expect(third.stdout.contains("- new1.example  suspend  (retracted)"))
        #expect(third.stdout.contains("~ new3.example  noop+reject_media -> silence"))
        #expect(
            third.stdout.contains(
                "! d001.example  we retracted it, but the server's block (suspend) was not made by the push; left as it is"
            ))
        let afterThird = try remoteList()
        #expect(afterThird.count == 254)
        #expect(!afterThird.contains { $0.hasPrefix("new1.example\t") })
        #expect(afterThird.contains("new3.example\tsilence\tnow silenced"))
        #expect(afterThird.contains("d001.example\tsuspend\t"))
        #expect(afterThird.contains("keep.example\tsuspend\ttheirs"))
    }
}
