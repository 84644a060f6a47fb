import Access
import Foundation
import HTTPTypes
import HerdwatchServer
import HerdwatchTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import RuleEngine
import Testing

/// `herdwatch check` and the hook take the same path (one envelope parser, one assessment step), so a replay
/// decides what the server decided: same action, score, rules and built-in holds, activity by activity.
@Suite("One assessment path")
struct OneAssessmentPathTests {
    @Test func checkAndTheHookGiveTheSameVerdictForEveryFixture() async throws {
        let folder = CLI.root.appendingPathComponent("Fixtures/activities")
        var lines: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() where name.hasSuffix(".json") {
            let data = try Data(contentsOf: folder.appendingPathComponent(name))
            guard let activity = try? JSONSerialization.jsonObject(with: data) as? [String: Any], activity["type"] != nil
            else { continue }
            let envelope: [String: Any] = ["id": name, "signature": "verified", "activity": activity]
            lines.append(String(decoding: try JSONSerialization.data(withJSONObject: envelope), as: UTF8.self))
        }
        #expect(lines.count >= 20)
        // A Create whose object is only a URL: held by the built-in rule on either path.
        lines.append(
            #"{"id": "by-reference", "activity": {"id": "https://a.example/activities/ref", "type": "Create", "actor": "https://a.example/users/x", "object": "https://a.example/notes/ref"}}"#
        )
        let result = try CLI.run(["check", "--format", "json", "-"], stdin: lines.joined(separator: "\n"))
        let fromCheck = try CLI.jsonLines(result.stdout)
        #expect(fromCheck.count == lines.count)

        // The hook with the default rules and no reputation, as `check` without --db.
        let server = try TestServer(reputation: false)
        server.components.engines.replace(with: try TestRules.defaultEngine())
        let token = try await server.token([.check])
        let app = HerdwatchApplication.make(server.components)
        let requests = lines
        let answers: [String] = try await app.test(.router) { client in
            var answers: [String] = []
            for line in requests {
                let response = try await client.execute(
                    uri: "/api/v1/check", method: .post, headers: [.authorization: "Bearer \(token)"], body: ByteBuffer(string: line))
                answers.append(String(buffer: response.body))
            }
            return answers
        }
        #expect(answers.count == lines.count)
        func rules(_ verdict: [String: Any]) -> [String] {
            (verdict["hits"] as? [[String: Any]] ?? []).compactMap { $0["rule"] as? String }
        }
        var held = Set<String>()
        for (answer, checked) in zip(answers, fromCheck) {
            let hooked = try json(answer)
            let id = checked["id"] as? String ?? "?"
            #expect(hooked["action"] as? String == checked["action"] as? String, "\(id)")
            #expect(hooked["score"] as? Double == checked["score"] as? Double, "\(id)")
            #expect(rules(hooked) == rules(checked), "\(id)")
            if checked["action"] as? String == "hold" { held.insert(id) }
        }
        #expect(held.contains("by-reference"))
        #expect(held.count > 1, "the fixtures should hold some activities")
    }
}
