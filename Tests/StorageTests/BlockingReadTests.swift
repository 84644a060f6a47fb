import Dispatch
import Foundation
import GRDB
import HerdwatchTestSupport
@testable import Reputation
import RuleEngine
@testable import Storage
import Synchronization
import Testing

/// Runs blocking `body` on a thread of its own, never on the cooperative pool: a test that blocks one of its two
/// threads (on two cores) while waiting for a task that needs the other can starve in a full parallel run.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}

/// The reputation's store reads and writes happen with its lock held, on threads that may block, while the
/// threads that run tasks may wait for that lock. Nothing they wait for may need those threads: this is the
/// deadlock that froze `herdwatch serve` under the queue benchmark.
@Suite("Blocking reputation work never waits on tasks")
struct BlockingReadTests {
    /// Runs `body` on a thread of its own; whether it returned within `seconds` (it may still be running when not).
    private static func returns(within seconds: Double, _ body: @escaping @Sendable () -> Void) -> Bool {
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            body()
            done.signal()
        }
        return done.wait(timeout: .now() + seconds) == .success
    }

    @Test func reputationReadsDoNotWaitForTheSharedReaders() throws {
        let path = temporaryDatabasePath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try SQLiteDatabase(path: path)
        let store = SQLiteReputationStore(database: database)
        var changes = ReputationChanges()
        changes.actors = [ActorRecord(id: "https://a.example/users/x", host: "a.example", lastSeen: Date())]
        try store.apply(changes)
        // Every reader of the shared pool is taken, as async reads whose tasks cannot resume keep them.
        let readers = database.pool.configuration.maximumReaderCount
        let gate = DispatchSemaphore(value: 0)
        let inside = DispatchSemaphore(value: 0)
        for _ in 0..<readers {
            Thread.detachNewThread {
                _ = try? database.pool.read { _ in
                    inside.signal()
                    gate.wait()
                }
            }
        }
        for _ in 0..<readers { inside.wait() }
        defer { for _ in 0..<readers { gate.signal() } }

        let found = Mutex<ActorRecord?>(nil)
        let returned = Self.returns(within: 30) {
            let record = try? store.actors(["https://a.example/users/x"])["https://a.example/users/x"]
            found.withLock { $0 = record }
        }
        #expect(returned, "a reputation read waited for a reader the shared pool had given out")
        #expect(found.withLock { $0?.host } == "a.example")
    }

    @Test func aBackgroundWriteIsFinishedBeforeTheRunnersTaskResumes() async throws {
        let store = InMemoryReputationStore()
        let reputation = Reputation(store: store, configuration: .init(flushInterval: 2))
        let waitedInside = Mutex<Bool?>(nil)
        let runner = Task {
            await reputation.runWriter { body in
                // The write runs on a thread of its own, as the server's pool runs it, and this task waits.
                try await onOwnThread {
                    try body()
                    // Still on the writer's thread: the runner's task has not resumed. Someone flushing now
                    // (holding the lock, as a decision's feedback does) must not need it to.
                    let returned = Self.returns(within: 30) { try? reputation.flush() }
                    waitedInside.withLock { if $0 == nil { $0 = returned } }
                }
            }
        }
        let deadline = ContinuousClock.now + .seconds(30)
        while !reputation.hasWriter, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        try await onOwnThread {
            for index in 0..<2 {
                try reputation.observe(
                    subject(actor: "https://social.example/users/u\(index)"), verdict: verdict(.accept), signature: .verified,
                    at: Date(timeIntervalSince1970: 1_700_000_000 + Double(index)))
            }
            try reputation.flush()
        }
        runner.cancel()
        await runner.value
        #expect(waitedInside.withLock { $0 } == true, "a flush waited for the writer's task to resume")
        #expect(try store.observations(limit: 10).count == 2)
    }
}
