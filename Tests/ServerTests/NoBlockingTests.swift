import AsyncHTTPClient
import Foundation
import HerdwatchTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// The hook alone runs its tasks on NIO's event loops. A store call that waits (here: for a write lock another
/// process holds, up to the busy timeout) must suspend its request, not block the loop every other connection
/// on it is served by.
@Suite("No blocking on the event loops", .serialized)
struct NoBlockingTests {
    @Test func healthChecksAreAnsweredWhileCaseWritesWaitForALockedDatabase() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("herdwatch-noblock-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("hook.sqlite").path
        let server = try ChildServer.serve(
            ["--db", path], environment: ["HERDWATCH_DATABASE_BUSY_TIMEOUT_MILLISECONDS": "4000"])
        defer { server.stop() }
        let spam = try JSONSerialization.jsonObject(
            with: Data(contentsOf: CLI.root.appendingPathComponent("Fixtures/activities/spam_nicole_dm.json")))
        func heldActivity(_ index: Int) throws -> ByteBuffer {
            var activity = try #require(spam as? [String: Any])
            activity["id"] = "https://spam.example/activities/noblock-\(index)-\(UUID().uuidString)"
            return ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: activity))
        }
        func send(_ path: String, body: ByteBuffer?) async throws -> Int {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(server.port)\(path)")
            if let body {
                request.method = .POST
                request.headers.add(name: "Authorization", value: "Bearer \(server.adminToken)")
                request.body = .bytes(body)
            }
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
            _ = try await response.body.collect(upTo: 1 << 20)
            return Int(response.status.code)
        }
        #expect(try await send("/healthz", body: nil) == 200)

        // Another connection takes the write lock and keeps it until the checks are answered.
        try await whileAnotherConnectionHoldsTheWriteLock(of: path, for: 30) {
            // Held activities: each must store a case, so each waits for the lock (up to 4 s, one after another:
            // the server writes one at a time).
            let held = try (0..<4).map(heldActivity)
            async let checks: [Int] = withThrowingTaskGroup(of: Int.self) { group in
                for body in held { group.addTask { try await send("/api/v1/check", body: body) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            try await Task.sleep(for: .milliseconds(300))
            // Timed by another process, so this test's own scheduling does not count.
            let url = "http://127.0.0.1:\(server.port)/healthz"
            let slowest = try await Task.detached { try slowestOfSequentialGets(url, count: 10) }.value
            #expect(slowest < 2, "a health check waited \(slowest) s behind the locked database")
            // The checks end with 503 (retry later) once the busy timeout passes, or with their case stored.
            for status in try await checks { #expect(status == 200 || status == 503) }
        }
    }
}
