import Intake
import ActivityPub
import AsyncHTTPClient
import Foundation
import HerdwatchTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import ReviewQueue
import Storage
import Synchronization
import Testing

/// What each delivery was answered, by activity id.
final class Answers: Sendable {
    let codes = Mutex<[String: Int]>([:])
}

/// `kill -9` at random moments while held deliveries arrive: every delivery that was answered 202 is in the
/// queue after a restart, exactly once.
@Suite("Crash durability", .serialized)
struct CrashDurabilityTests {
    let client = HTTPClient.shared

    @Test func everyAnsweredHeldDeliverySurvivesKillNine() async throws {
        // Random points, named in every failure message so a failing run can be repeated.
        let killDelays = (0..<4).map { _ in Duration.milliseconds(Int.random(in: 50...600)) }
        let run = "kill delays \(killDelays)"
        try await withFakeInstance { origin, instance in
            let received = instance.received
            let alice = try RemoteActor(id: "\(origin)/users/alice")
            instance.actors.documents.withLock { $0["/users/alice"] = alice.document }
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("herdwatch-crash-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let database = folder.appendingPathComponent("herdwatch.sqlite").path
            let config = folder.appendingPathComponent("herdwatch.yaml")
            try "keys: {allowPrivateAddresses: true, fetchTimeoutSeconds: 30}\n".write(to: config, atomically: true, encoding: .utf8)
            let rules = try TestRules.directory()
            let answered = Answers()

            for round in 0..<4 {
                let server = try ChildServer.serve([
                    "--db", database, "--rules", rules, "--upstream", origin, "--config", config.path,
                ])
                let port = server.port
                let deliveries = (0..<40).map { index in
                    let id = "\(origin)/activities/r\(round)-\(index)-\(UUID().uuidString)"
                    return (id, try? alice.signedPost(path: "/inbox", host: "social.example", body: alice.note("HOLDME \(index)", id: id)))
                }
                let killAfter = killDelays[round]
                await withTaskGroup(of: Void.self) { group in
                    for (id, request) in deliveries {
                        guard let request else { continue }
                        let path = request.path
                        let headers = request.headers.fields.map { ($0.name, $0.value) }
                        let body = request.body
                        group.addTask {
                            var outgoing = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
                            outgoing.method = .POST
                            for (name, value) in headers { outgoing.headers.add(name: name, value: value) }
                            outgoing.body = .bytes(ByteBuffer(bytes: body))
                            guard let response = try? await client.execute(outgoing, timeout: .seconds(30)) else { return }
                            _ = try? await response.body.collect(upTo: 1 << 16)
                            answered.codes.withLock { $0[id] = Int(response.status.code) }
                        }
                    }
                    let pid = server.process.processIdentifier
                    group.addTask {
                        try? await Task.sleep(for: killAfter)
                        kill(pid, SIGKILL)
                    }
                }
                server.process.waitUntilExit()
                #expect(server.process.terminationReason == .uncaughtSignal, "round \(round): the server was not killed")
            }

            // Restart once more: the database opens and migrates cleanly after the kills.
            let restarted = try ChildServer.serve(["--db", database, "--rules", rules, "--upstream", origin, "--config", config.path])
            #expect(restarted.stop() == 0)

            let store = SQLiteCaseStore(database: try SQLiteDatabase(path: database))
            let accepted = answered.codes.withLock { $0.filter { $0.value == 202 }.map(\.key) }
            #expect(accepted.count > 0, "\(run): no delivery was answered before the kills")
            for id in accepted {
                let cases = try await store.cases(activityID: id)
                #expect(cases.count == 1, "\(run): \(id) answered 202 but is in the queue \(cases.count) times")
                #expect(cases.first?.request?.body.isEmpty == false, "\(run): \(id) lost its request")
            }
            // Nothing held reached the instance.
            #expect(received.all.filter { $0.method == "POST" }.isEmpty)
        }
    }
}
