import Intake
import AsyncHTTPClient
import Foundation
import HerdwatchTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// The real binary serving the hook alone: without an upstream, `serve` runs its tasks on NIO's event loops
/// (`ServerRuntime.runConcurrencyOnEventLoops`), unlike the firewall test's server, which keeps Swift's pool.
@Suite("Check hook, end to end", .serialized)
struct HookEndToEndTests {
    let client = HTTPClient.shared

    func check(_ body: [UInt8], port: Int, token: String) async throws -> (status: Int, body: [String: Any]) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/v1/check")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await client.execute(request, timeout: .seconds(30))
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        return (Int(response.status.code), try json(text))
    }

    func fixture(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: CLI.root.appendingPathComponent("Fixtures/activities/\(name)")))
    }

    @Test func answersConcurrentChecksOnTheEventLoopsAndStopsCleanly() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("herdwatch-hook-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try ChildServer.serve(["--db", folder.appendingPathComponent("hook.sqlite").path])
        let token = server.adminToken
        #expect(!token.isEmpty)

        let spam = try fixture("spam_nicole_dm.json")
        let reply = try fixture("create_note_reply.json")
        let held = try await check(spam, port: server.port, token: token)
        #expect(held.status == 200)
        #expect(held.body["action"] as? String == "hold")
        #expect((held.body["case"] as? [String: Any])?["existing"] as? Bool == false)

        // Many at once, spread over both event loops: each gets its own verdict; the repeated spam is a duplicate.
        struct Answer: Sendable {
            var isSpam: Bool
            var status: Int
            var action: String?
            var duplicate: Bool?
        }
        let answers = try await withThrowingTaskGroup(of: Answer.self) { group in
            for index in 0..<40 {
                let isSpam = index.isMultiple(of: 4)
                group.addTask { [self] in
                    let answer = try await check(isSpam ? spam : reply, port: server.port, token: token)
                    return Answer(
                        isSpam: isSpam, status: answer.status, action: answer.body["action"] as? String,
                        duplicate: answer.body["duplicate"] as? Bool)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers.count == 40)
        for answer in answers {
            #expect(answer.status == 200)
            #expect(answer.action == (answer.isSpam ? "hold" : "accept"))
            if answer.isSpam { #expect(answer.duplicate == true) }
        }

        // Bad input is answered, not fatal, and the server goes on.
        let broken = try await check(Array("{\"type\": \"Create\", ".utf8), port: server.port, token: token)
        #expect(broken.status == 400)
        #expect(try await check(reply, port: server.port, token: token).body["action"] as? String == "accept")

        #expect(server.stop() == 0)
    }
}
