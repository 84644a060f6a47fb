import Foundation
import GRDB
import HerdwatchTestSupport
import ReviewQueue
import RuleEngine
import Storage
import Testing

/// The database file holds held direct messages and password hashes.
@Suite("Database safety")
struct DatabaseSafetyTests {
    func permissions(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    @Test func theFileIsReadableByItsOwnerAlone() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("herdwatch-perm-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("db/herdwatch.sqlite").path
        let database = try SQLiteDatabase(path: path)
        #expect(try permissions(path) == 0o600)
        #expect(try permissions(folder.appendingPathComponent("db").path) == 0o700)
        // The write-ahead log gets the same permissions.
        _ = try await SQLiteCaseStore(database: database).caseCounts()
        let store = SQLiteReputationStore(database: database)
        _ = try store.actors(["x"])
        if FileManager.default.fileExists(atPath: path + "-wal") {
            #expect(try permissions(path + "-wal") == 0o600)
        }
    }

    @Test func aLockedDatabaseIsAnsweredQuickly() async throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(at: path) }
        let database = try SQLiteDatabase(path: path, busyTimeout: 0.25)
        // The lock is held until the write returns (ten minutes at most: in a full parallel run on 2 cores this task
        // was seen to wait over a minute before running): a write that waited for it would succeed once
        // it is released, so the error shows the write gave up after the busy timeout. (Not timed: with the tests
        // running in parallel, resuming the awaiting task can itself take seconds.)
        try await whileAnotherConnectionHoldsTheWriteLock(of: path, for: 600) {
            await #expect(throws: StorageError.self) {
                // An insert: it must take the write lock, whatever the table holds (an update of no rows might not).
                _ = try await SQLiteCaseStore(database: database).open(
                    NewCase(
                        activityID: "https://a.example/1", actorID: nil, signer: nil, deliveryKey: "locked", source: .hook,
                        verdict: Verdict(action: .hold, score: 0, hits: [], shadowHits: [], errors: [], rulesetVersion: "t"),
                        body: Array("{}".utf8), request: nil, openedAt: Date()))
            }
        }
    }
}
