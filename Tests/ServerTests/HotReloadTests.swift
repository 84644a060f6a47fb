import Access
import AsyncHTTPClient
import Configuration
import Foundation
import HTTPTypes
import HerdwatchServer
import HerdwatchTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import Testing

/// A rule directory in a temporary folder, written and rewritten by a test.
struct RuleFolder {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("herdwatch-rules-\(UUID().uuidString)")

    init(holding word: String) throws {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try write(holding: word)
    }

    func write(holding word: String) throws {
        try """
        rules:
          - id: reload.hold
            description: Held on the word \(word)
            types: [Create]
            when: {regex: '\(word)'}
            action: hold
        """.write(to: url.appendingPathComponent("rules.yaml"), atomically: true, encoding: .utf8)
    }

    func breakIt() throws {
        try "rules:\n  - id: reload.broken\n    when: {regex: '(unclosed'}\n    action: hold\n"
            .write(to: url.appendingPathComponent("rules.yaml"), atomically: true, encoding: .utf8)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

@Suite("Hot reload of the rules")
struct HotReloadTests {
    let actor: RemoteActor

    init() throws {
        actor = try RemoteActor(id: "https://remote.example/users/alice")
    }

    @Test func theReloadEndpointSwapsAValidSetAndKeepsTheOldOneWhenTheNewHasErrors() async throws {
        let rules = try RuleFolder(holding: "firstword")
        defer { rules.remove() }
        let server = try TestServer(values: ["rules.directory": .init(.string(rules.url.path), isSecret: false)])
        let admin = try await server.token([.admin])
        let checker = try await server.token([.check])
        let app = HerdwatchApplication.make(server.components)
        try await app.test(.router) { client in
            func action(_ text: String) async throws -> String? {
                let response = try await client.execute(
                    uri: "/api/v1/check", method: .post, headers: [.authorization: "Bearer \(checker)"],
                    body: ByteBuffer(string: actor.note(text, id: "https://remote.example/notes/\(UUID().uuidString)")))
                return try json(String(buffer: response.body))["action"] as? String
            }
            func reload(_ token: String) async throws -> (HTTPResponse.Status, [String: Any]) {
                let response = try await client.execute(
                    uri: "/herdwatch/api/v1/rules/reload", method: .post, headers: [.authorization: "Bearer \(token)"])
                return (response.status, try json(String(buffer: response.body)))
            }
            // The test rules are in use until the first reload.
            #expect(try await action("firstword") == "accept")

            let (status, body) = try await reload(admin)
            #expect(status == .ok)
            #expect(body["status"] as? String == "reloaded")
            #expect(body["rules"] as? Int == 1)
            let version = try #require(body["version"] as? String)
            #expect(try await action("firstword") == "hold")

            // A set with errors changes nothing, and the answer says why.
            try rules.breakIt()
            let (refused, refusal) = try await reload(admin)
            #expect(refused == .unprocessableContent)
            #expect(refusal["code"] as? String == "rules_invalid")
            #expect(refusal["version"] as? String == version)
            #expect((refusal["errors"] as? [String])?.isEmpty == false)
            #expect(try await action("firstword") == "hold")

            // Reloading is an admin's job.
            let (forbidden, _) = try await reload(checker)
            #expect(forbidden == .forbidden)
        }
    }

    /// The real binary, as an operator runs it: `kill -HUP` reloads `--rules`; a broken set is logged and the
    /// rules in use stay.
    @Test func sighupReloadsTheRunningServer() async throws {
        let rules = try RuleFolder(holding: "firstword")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("herdwatch-hup-\(UUID().uuidString)")
        defer {
            rules.remove()
            try? FileManager.default.removeItem(at: folder)
        }
        let server = try ChildServer.serve([
            "--db", folder.appendingPathComponent("hook.sqlite").path, "--rules", rules.url.path,
        ])
        defer { server.stop() }
        func action(_ text: String) async throws -> String? {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/api/v1/check")
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(server.adminToken)")
            request.body = .bytes(
                ByteBuffer(string: actor.note(text, id: "https://remote.example/notes/\(UUID().uuidString)")))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            return try json(String(buffer: try await response.body.collect(upTo: 1 << 20)))["action"] as? String
        }
        /// Polls until `text` gets `expected`, for at most 20 s.
        func eventually(_ text: String, _ expected: String) async throws -> Bool {
            let deadline = ContinuousClock.now + .seconds(20)
            while ContinuousClock.now < deadline {
                if try await action(text) == expected { return true }
                try await Task.sleep(for: .milliseconds(100))
            }
            return false
        }
        #expect(try await action("firstword") == "hold")
        #expect(try await action("secondword") == "accept")

        try rules.write(holding: "secondword")
        #expect(kill(server.pid, SIGHUP) == 0)
        #expect(try await eventually("secondword", "hold"))
        #expect(try await action("firstword") == "accept")

        try rules.breakIt()
        #expect(kill(server.pid, SIGHUP) == 0)
        let deadline = ContinuousClock.now + .seconds(20)
        while !server.output.contains("rules not reloaded"), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(server.output.contains("rules not reloaded"))
        #expect(try await action("secondword") == "hold", "the rules in use stay")
        #expect(server.process.isRunning)
        #expect(server.stop() == 0)
    }
}
