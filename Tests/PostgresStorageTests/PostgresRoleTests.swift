import Foundation
import PostgresStorage
import Synchronization
import Testing

/// Background services run on one node at a time: a role is a session advisory lock, and another node takes it
/// over when the holder's connection ends.
@Suite("PostgreSQL roles", .enabled(if: TestPostgres.available, "needs HERDWATCH_TEST_POSTGRES_URL (Scripts/with-postgres)"))
struct PostgresRoleTests {
    /// Who runs the role now, and whether two ever ran it at once.
    final class Holders: Sendable {
        private struct State {
            var running: Set<String> = []
            var overlapped = false
            var started: [String] = []
        }
        private let state = Mutex(State())

        func enter(_ node: String) {
            state.withLock { state in
                if !state.running.isEmpty { state.overlapped = true }
                state.running.insert(node)
                state.started.append(node)
            }
        }
        func leave(_ node: String) { state.withLock { _ = $0.running.remove(node) } }
        var running: Set<String> { state.withLock { $0.running } }
        var started: [String] { state.withLock { $0.started } }
        var overlapped: Bool { state.withLock { $0.overlapped } }
    }

    static func waitUntil(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(15)
        while !condition() {
            guard ContinuousClock.now < deadline else { Issue.record("timed out waiting"); return }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test func oneNodeHoldsARoleAndAnotherTakesOverWhenItsConnectionEnds() async throws {
        try await TestPostgres.withDatabase { database in
            let url = try #require(TestPostgres.url)
            let nodes = try ["a", "b"].map { ($0, try PostgreSQLDatabase(url: url, schema: database.schema)) }
            let holders = Holders()
            var tasks: [String: Task<Void, any Error>] = [:]
            for (name, node) in nodes {
                tasks[name] = Task {
                    try await node.whileHoldingRole("lease-expiry", retry: .milliseconds(100)) {
                        holders.enter(name)
                        defer { holders.leave(name) }
                        try await Task.sleep(for: .seconds(3600))
                    }
                }
            }
            try await Self.waitUntil { holders.running.count == 1 }
            // Both keep trying for a while: the role stays with the first.
            try await Task.sleep(for: .milliseconds(500))
            let first = try #require(holders.running.first)
            #expect(holders.started == [first])
            #expect(!holders.overlapped)
            // The holder's node dies: its pool closes, PostgreSQL drops its lock, the other node takes over.
            let (_, dying) = try #require(nodes.first { $0.0 == first })
            await dying.close()
            // (The dying node notices within one retry interval; until then both may run, which is why the body
            // of a role must be safe to overlap briefly, as lease expiry and retention are.)
            let second = first == "a" ? "b" : "a"
            try await Self.waitUntil { holders.running == [second] }
            #expect(holders.started == [first, second])
            // A role held under another name is independent.
            let other = Holders()
            let (_, survivor) = try #require(nodes.first { $0.0 != first })
            let retention = Task {
                try await survivor.whileHoldingRole("evidence-retention", retry: .milliseconds(100)) { other.enter("x") }
            }
            try await retention.value
            #expect(other.started == ["x"])
            for task in tasks.values { task.cancel() }
            for (_, node) in nodes where node !== dying { await node.close() }
        }
    }

    @Test func aRoleIsFreeAgainWhenItsHolderFinishesAndCancellationEndsTheWait() async throws {
        try await TestPostgres.withDatabase { database in
            let url = try #require(TestPostgres.url)
            let other = try PostgreSQLDatabase(url: url, schema: database.schema)
            defer { Task { await other.close() } }
            // The holder finishes: the lock is released at once, and the other node gets it on its next try.
            try await database.whileHoldingRole("sync", retry: .milliseconds(100)) {}
            let ran = Mutex(false)
            try await other.whileHoldingRole("sync", retry: .milliseconds(100)) { ran.withLock { $0 = true } }
            #expect(ran.withLock { $0 })
            // A node waiting for a held role stops waiting when cancelled.
            let holds = Mutex(false)
            let holding = Task {
                try await database.whileHoldingRole("sync", retry: .milliseconds(100)) {
                    holds.withLock { $0 = true }
                    try await Task.sleep(for: .seconds(3600))
                }
            }
            try await Self.waitUntil { holds.withLock { $0 } }
            let waiting = Task { try await other.whileHoldingRole("sync", retry: .milliseconds(100)) { Issue.record("ran a held role") } }
            try await Task.sleep(for: .milliseconds(400))
            waiting.cancel()
            await #expect(throws: CancellationError.self) { try await waiting.value }
            holding.cancel()
            await #expect(throws: CancellationError.self) { try await holding.value }
        }
    }
}
