import Foundation
import GRDB
import HerdwatchTestSupport
import ReviewQueue
import Synchronization
import Testing

@testable import Storage

/// Lease claims that arrive together share one write transaction, and one claim's failure stays its own.
@Suite("Lease claims share transactions")
struct LeaseClaimBatchTests {
    struct Refused: Error {}

    /// A database with a table the claims write to, and a `write` that counts the transactions it runs.
    final class Fixture: Sendable {
        let path = temporaryDatabasePath()
        let database: SQLiteDatabase
        let transactions = Mutex(0)

        init() throws {
            database = try SQLiteDatabase(path: path)
            try database.pool.write { db in try db.execute(sql: "CREATE TABLE claimed (name TEXT NOT NULL)") }
        }

        var write: LeaseClaimBatcher.Write {
            { [self] body in
                transactions.withLock { $0 += 1 }
                return try await database.pool.write(body)
            }
        }

        func claimed() throws -> [String] {
            try database.pool.read { db in try String.fetchAll(db, sql: "SELECT name FROM claimed ORDER BY name") }
        }

        /// Holds the writer, as a decision's commit would, while `claims` run, until `count` of them wait in
        /// `batcher`; then lets the writer go and returns what `claims` returned.
        func withWriterHeld<T: Sendable>(
            untilWaiting count: Int, in batcher: LeaseClaimBatcher, _ claims: @escaping @Sendable () async throws -> T
        ) async throws -> T {
            let release = DispatchSemaphore(value: 0)
            let started = DispatchSemaphore(value: 0)
            let busy = Task {
                try await database.pool.write { _ in
                    started.signal()
                    release.wait()
                }
            }
            try await onOwnThread { started.wait() }
            let running = Task { try await claims() }
            while batcher.waitingCount < count { try await Task.sleep(for: .milliseconds(5)) }
            release.signal()
            try await busy.value
            return try await running.value
        }

        deinit { removeDatabase(at: path) }
    }

    static func claim(_ name: String, failing: Bool = false) -> LeaseClaimBatcher.Claim {
        { db in
            try db.execute(sql: "INSERT INTO claimed (name) VALUES (?)", arguments: [name])
            if failing { throw Refused() }
            return nil
        }
    }

    @Test func claimsWaitingForTheWriterAreServedInOneTransaction() async throws {
        let fixture = try Fixture()
        let batcher = LeaseClaimBatcher()
        let names = (0..<10).map { "m\($0)" }
        // The first claim's transaction waits for the writer; the nine others wait for a transaction.
        try await fixture.withWriterHeld(untilWaiting: 10, in: batcher) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for name in names {
                    group.addTask { _ = try await batcher.claim(Self.claim(name), write: fixture.write) }
                }
                try await group.waitForAll()
            }
        }
        #expect(try fixture.claimed() == names.sorted())
        #expect(fixture.transactions.withLock { $0 } == 1)
    }

    @Test func aFailingClaimFailsAloneAndKeepsNothing() async throws {
        let fixture = try Fixture()
        let batcher = LeaseClaimBatcher()
        let outcomes = try await fixture.withWriterHeld(untilWaiting: 3, in: batcher) {
            try await withThrowingTaskGroup(of: (String, Bool).self) { group in
                for name in ["a", "b", "c"] {
                    group.addTask {
                        do {
                            _ = try await batcher.claim(Self.claim(name, failing: name == "b"), write: fixture.write)
                            return (name, true)
                        } catch is Refused {
                            return (name, false)
                        }
                    }
                }
                var outcomes: [String: Bool] = [:]
                for try await (name, succeeded) in group { outcomes[name] = succeeded }
                return outcomes
            }
        }
        #expect(outcomes == ["a": true, "b": false, "c": true])
        // "b" wrote a row before it failed: its savepoint rolled back; the others' rows are committed.
        #expect(try fixture.claimed() == ["a", "c"])
        #expect(fixture.transactions.withLock { $0 } == 1)
    }

    @Test func aFailedTransactionFailsEveryClaimInItAndTheNextOnesStillRun() async throws {
        let fixture = try Fixture()
        let batcher = LeaseClaimBatcher()
        let broken: LeaseClaimBatcher.Write = { _ in throw Refused() }
        await #expect(throws: Refused.self) { _ = try await batcher.claim(Self.claim("x"), write: broken) }
        #expect(batcher.waitingCount == 0)
        _ = try await batcher.claim(Self.claim("y"), write: fixture.write)
        #expect(try fixture.claimed() == ["y"])
    }
}
