import ActivityPub
import AsyncHTTPClient
import Foundation
import HerdwatchTestSupport
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

/// The PostgreSQL server the tests use (Scripts/with-postgres names it).
private let twoNodePostgresURL = ProcessInfo.processInfo.environment["HERDWATCH_TEST_POSTGRES_URL"].flatMap {
    $0.isEmpty ? nil : $0
}

/// Two `herdwatch serve --upstream` nodes in front of one instance, sharing one PostgreSQL database; one of them is
/// killed with SIGKILL while deliveries and moderators are spread over both.
@Suite(
    "Two nodes on one PostgreSQL", .serialized,
    .enabled(if: twoNodePostgresURL != nil, "needs HERDWATCH_TEST_POSTGRES_URL (Scripts/with-postgres)"))
struct TwoNodeTests {
    let client = HTTPClient.shared

    /// What the senders and moderators share while the run goes on.
    final class Run: Sendable {
        let sent = Mutex(0)
        let killed = Mutex(false)
        let handedOut = Mutex<[Int]>([])
    }

    /// What one delivery got: its activity, and the status and body answered (nil when the node was gone).
    struct Sent: Sendable {
        var index: Int
        var node: String
        var activityID: String
        var status: Int?
        var body: String
    }

    @Test func everyAnsweredDeliveryIsForwardedOrQueuedOnceAndNoCaseIsHandedOutTwice() async throws {
        let base = try #require(twoNodePostgresURL)
        let schema = "twonode_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        let database = base + (base.contains("?") ? "&" : "?") + "schema=\(schema)"
        try await withFakeInstance { origin, instance in
            let received = instance.received
            let alice = try RemoteActor(id: "\(origin)/users/alice")
            // Each held post comes from an account of its own, so each opens a case of its own.
            let spammers = try (0..<24).map { try RemoteActor(id: "\(origin)/users/spam\($0)") }
            instance.actors.documents.withLock { documents in
                for actor in [alice] + spammers { documents[URL(string: actor.id)!.path] = actor.document }
            }
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("herdwatch-twonode-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let config = folder.appendingPathComponent("herdwatch.yaml")
            try "keys:\n  allowPrivateAddresses: true\n  fetchTimeoutSeconds: 30\n".write(
                to: config, atomically: true, encoding: .utf8)
            let rules = try TestRules.directory()
            func node() throws -> ChildServer {
                try ChildServer.serve(["--database", database, "--rules", rules, "--upstream", origin, "--config", config.path])
            }
            let a = try node()
            defer { _ = a.stop() }
            let b = try node()
            defer { _ = b.stop() }
            #expect(a.adminToken.hasPrefix("hw_"), "the first node to start creates the admin: \(a.output)")
            #expect(b.adminToken.isEmpty, "the second finds it in the shared database")

            // Four moderators, each with a token acting as them, added once for both nodes.
            var moderators: [String] = []
            for index in 0..<4 {
                let name = "mod\(index)"
                let added = try CLI.run(["user", "add", name, "--role", "moderator", "--database", database])
                #expect(added.status == 0, "\(added.stderr)")
                let token = try CLI.run(["token", "create", "--scope", "moderate", "--user", name, "--database", database])
                moderators.append(String(try #require(token.stdout.split(separator: "\n").last)))
            }

            // 72 deliveries, a third of them held, sent four at a time alternately to A and B; A is killed after 30
            // have been answered, with others in flight.
            let host = "social.example"
            var deliveries: [(id: String, request: SignedRequest)] = []
            for index in 0..<72 {
                let id = "\(origin)/activities/\(UUID().uuidString)"
                let (actor, text) = index % 3 == 0 ? (spammers[index / 3], "HOLDME \(UUID().uuidString)") : (alice, "hello \(index)")
                deliveries.append((id, try actor.signedPost(path: "/users/bob/inbox", host: host, body: actor.note(text, id: id))))
            }
            let (requests, tokens) = (deliveries, moderators)
            let run = Run()
            let results = try await withThrowingTaskGroup(of: [Sent].self) { group in
                for lane in 0..<4 {
                    group.addTask {
                        var sent: [Sent] = []
                        for index in stride(from: lane, to: requests.count, by: 4) {
                            // Once A is gone, the load balancer sends everything to B (AsyncHTTPClient would
                            // keep retrying the refused connection until the request's deadline).
                            let target = index % 2 == 0 && !run.killed.withLock({ $0 }) ? a : b
                            let (id, request) = requests[index]
                            do {
                                let reply = try await send(request, to: target.port)
                                sent.append(Sent(index: index, node: target === a ? "a" : "b", activityID: id, status: reply.status, body: reply.body))
                            } catch {
                                sent.append(Sent(index: index, node: target === a ? "a" : "b", activityID: id, status: nil, body: "\(error)"))
                            }
                            if run.sent.withLock({ $0 += 1; return $0 }) == 30 {
                                kill(a.pid, SIGKILL)
                                run.killed.withLock { $0 = true }
                            }
                        }
                        return sent
                    }
                }
                // Meanwhile the moderators take cases from both nodes (only B once A is gone).
                for (index, token) in tokens.enumerated() {
                    group.addTask {
                        for round in 0..<12 {
                            let target = (index + round) % 2 == 0 && !run.killed.withLock({ $0 }) ? a : b
                            if let id = try? await next(token: token, port: target.port) {
                                run.handedOut.withLock { $0.append(id) }
                            }
                            try await Task.sleep(for: .milliseconds(50))
                        }
                        return []
                    }
                }
                var all: [Sent] = []
                for try await sent in group { all += sent }
                return all
            }
            #expect(run.killed.withLock { $0 })
            #expect(a.process.isRunning == false)

            // A started first and ran the jobs on shared data; B takes them over once A's connections are gone.
            #expect(a.output.contains("this node now runs lease-expiry"))
            let deadline = ContinuousClock.now + .seconds(20)
            while !b.output.contains("this node now runs lease-expiry"), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(b.output.contains("this node now runs lease-expiry"), "B never took over lease expiry: \(b.output)")

            // Whatever the moderators did not take is still in the queue: take it all from B.
            while let id = try await next(token: moderators[0], port: b.port) { run.handedOut.withLock { $0.append(id) } }
            let handed = run.handedOut.withLock { $0 }
            #expect(Set(handed).count == handed.count, "a case was handed out twice: \(handed.sorted())")

            let answered = results.filter { ($0.status ?? 0) / 100 == 2 }
            #expect(answered.count >= 30, "the deliveries to B must all be answered: \(results.filter { $0.status == nil }.count) failed")
            // The sender retries a delivery A held (its answer lost, say) and it reaches B: it joins A's case.
            let heldOnA = try #require(answered.first { $0.node == "a" && $0.body != "delivered" })
            #expect(try await send(requests[heldOnA.index].request, to: b.port).status == 202)
            #expect(received.deliveries(of: heldOnA.activityID).isEmpty)
            let cases = try await allCases(token: a.adminToken, port: b.port)
            var casesPerActivity: [String: Int] = [:]
            for reviewCase in cases { casesPerActivity[reviewCase.activityID, default: 0] += 1 }
            for delivery in answered {
                let forwarded = received.deliveries(of: delivery.activityID).count
                let queued = casesPerActivity[delivery.activityID] ?? 0
                if delivery.body == "delivered" {
                    #expect(forwarded == 1 && queued == 0, "\(delivery.activityID): forwarded \(forwarded)×, queued \(queued)×")
                } else {
                    #expect(forwarded == 0 && queued == 1, "\(delivery.activityID): forwarded \(forwarded)×, queued \(queued)×")
                }
            }
            // A delivery A accepted and forwarded, retried to B (A's answer lost): B knows it from the shared
            // ledger, so reputation does not count it twice. It is forwarded again: the sender's retry may mean the
            // instance never got the first copy, and instances ignore an activity id they already have.
            let acceptedOnA = try #require(answered.first { $0.node == "a" && $0.body == "delivered" })
            let duplicatesBefore = try await metric("herdwatch_duplicates_total", port: b.port)
            #expect(try await send(requests[acceptedOnA.index].request, to: b.port).status / 100 == 2)
            #expect(
                try await metric("herdwatch_duplicates_total", port: b.port) == duplicatesBefore + 1,
                "B assessed again a delivery A had decided")
            #expect(received.deliveries(of: acceptedOnA.activityID).count == 2)
            // Every held delivery answered is a case, and every case was handed out exactly once.
            let held = answered.filter { $0.body != "delivered" }.count
            #expect(held >= 10)
            #expect(Set(handed).isSubset(of: Set(cases.map(\.id))))
            // None lost: every case is leased. A lease taken on A as it died was never answered, so a few more
            // cases may be in review than the moderators were handed.
            let inReview = cases.filter { $0.state == "in_review" }.count
            #expect(inReview == cases.count)
            #expect(inReview >= handed.count && inReview <= handed.count + tokens.count)
        }
    }

    /// A counter's value in node `port`'s `/metrics` (0 when it has not counted yet).
    func metric(_ name: String, port: Int) async throws -> Double {
        let response = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/metrics"), timeout: .seconds(30))
        let body = String(buffer: try await response.body.collect(upTo: 1 << 22))
        for line in body.split(separator: "\n") where line.hasPrefix(name + " ") || line.hasPrefix(name + "{") {
            return Double(line.split(separator: " ").last ?? "") ?? 0
        }
        return 0
    }

    /// `POST cases/next` as the token's moderator; nil when the queue is empty (204).
    func next(token: String, port: Int) async throws -> Int? {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/herdwatch/api/v1/cases/next")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: "{}"))
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 22)
        guard response.status.code == 200 else { return nil }
        let json = try #require(try JSONSerialization.jsonObject(with: Data(String(buffer: body).utf8)) as? [String: Any])
        return json["id"] as? Int
    }

    /// Every case, as node `port` lists it.
    func allCases(token: String, port: Int) async throws -> [(id: Int, activityID: String, state: String)] {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/herdwatch/api/v1/cases?state=all&limit=1000")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 24)
        #expect(response.status.code == 200)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(String(buffer: body).utf8)) as? [String: Any])
        let cases = try #require(json["cases"] as? [[String: Any]])
        return cases.compactMap { reviewCase in
            guard let id = reviewCase["id"] as? Int, let activity = reviewCase["activity_id"] as? String,
                let state = reviewCase["state"] as? String
            else { return nil }
            return (id, activity, state)
        }
    }

    func send(_ request: SignedRequest, to port: Int) async throws -> (status: Int, body: String) {
        var outgoing = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(request.path)")
        outgoing.method = .POST
        for field in request.headers.fields { outgoing.headers.add(name: field.name, value: field.value) }
        outgoing.body = .bytes(ByteBuffer(bytes: request.body))
        let response = try await client.execute(outgoing, timeout: .seconds(30))
        return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }
}

/// A rule reload on one node reaches the other through the database (LISTEN/NOTIFY), so a deployment that puts
/// new rules on every node reloads them all with one request.
@Suite(
    "Two nodes: rule reloads", .serialized,
    .enabled(if: twoNodePostgresURL != nil, "needs HERDWATCH_TEST_POSTGRES_URL (Scripts/with-postgres)"))
struct TwoNodeRuleReloadTests {
    @Test func reloadingOneNodesRulesReloadsTheOther() async throws {
        let base = try #require(twoNodePostgresURL)
        let schema = "reload_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        let database = base + (base.contains("?") ? "&" : "?") + "schema=\(schema)"
        let (rulesA, rulesB) = (try TestRules.directory(), try TestRules.directory())
        let a = try ChildServer.serve(["--database", database, "--rules", rulesA])
        defer { _ = a.stop() }
        let b = try ChildServer.serve(["--database", database, "--rules", rulesB])
        defer { _ = b.stop() }
        let token = a.adminToken
        #expect(token.hasPrefix("hw_"))
        // A new activity each time: a repeated one would get its first verdict again (duplicate deliveries).
        var post: String { RemoteActor.noteJSON(actor: "https://far.example/users/x", text: "RELOADME please") }
        #expect(!(try await check(post, port: b.port, token: token)).contains("test.reloaded"))

        // The deployment writes the new rule on both nodes, then reloads A only.
        let added = TestRules.yaml + """

              - id: test.reloaded
                description: Rejected on the word RELOADME
                types: [Create]
                when: {regex: 'reloadme'}
                action: reject
            """
        for directory in [rulesA, rulesB] {
            try added.write(to: URL(fileURLWithPath: directory).appendingPathComponent("test.yaml"), atomically: true, encoding: .utf8)
        }
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(a.port)/herdwatch/api/v1/rules/reload")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        let reloaded = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        #expect(reloaded.status.code == 200)
        #expect((try await check(post, port: a.port, token: token)).contains("test.reloaded"))

        let deadline = ContinuousClock.now + .seconds(10)
        var heard = false
        while !heard, ContinuousClock.now < deadline {
            heard = try await check(post, port: b.port, token: token).contains("test.reloaded")
            if !heard { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(heard, "B never reloaded: \(b.output)")
    }

    func check(_ activity: String, port: Int, token: String) async throws -> String {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/v1/check")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/activity+json")
        request.body = .bytes(ByteBuffer(string: activity))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        return String(buffer: try await response.body.collect(upTo: 1 << 20))
    }
}

extension RemoteActor {
    /// A public `Create{Note}` by `actor`, unsigned (for the check hook).
    static func noteJSON(actor: String, text: String) -> String {
        let id = "\(actor)/activities/\(UUID().uuidString)"
        return """
            {"@context":"https://www.w3.org/ns/activitystreams","id":"\(id)","type":"Create","actor":"\(actor)","to":["https://www.w3.org/ns/activitystreams#Public"],"object":{"id":"\(id)/object","type":"Note","attributedTo":"\(actor)","content":"<p>\(text)</p>"}}
            """
    }
}
