import Foundation
import GRDB
import HerdwatchTestSupport
@testable import Storage
import Testing

/// The server checkpoints the write-ahead log from a service, so that no request's commit pays for copying it.
@Suite("Write-ahead log checkpoints")
struct CheckpointTests {
    private static func autocheckpoint(_ database: SQLiteDatabase) throws -> Int {
        try database.pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") ?? -1 }
    }

    private static func write(_ database: SQLiteDatabase, rows: Int) throws {
        try database.pool.write { db in
            try db.execute(sql: "CREATE TABLE IF NOT EXISTS filler (id INTEGER PRIMARY KEY, body TEXT)")
            for index in 0..<rows {
                try db.execute(sql: "INSERT INTO filler (body) VALUES (?)", arguments: [String(repeating: "x", count: 200) + "\(index)"])
            }
        }
    }

    @Test func takingOverStopsCommitsFromCheckpointingAndReleasingRestoresIt() throws {
        let path = temporaryDatabasePath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try SQLiteDatabase(path: path)
        #expect(try Self.autocheckpoint(database) == SQLiteDatabase.autocheckpointPages)
        try database.takeOverCheckpoints()
        #expect(try Self.autocheckpoint(database) == 0)
        try database.releaseCheckpoints()
        #expect(try Self.autocheckpoint(database) == SQLiteDatabase.autocheckpointPages)
    }

    @Test func aPassCopiesTheWholeLogWhenNoReaderHoldsAnOldSnapshot() throws {
        let path = temporaryDatabasePath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try SQLiteDatabase(path: path)
        try database.takeOverCheckpoints()
        try Self.write(database, rows: 2_000)
        let pass = try database.checkpoint()
        #expect(pass.logFrames > 10)
        #expect(pass.checkpointedFrames == pass.logFrames)
        #expect(pass.uncopiedFrames == 0)
        #expect(!pass.blocked)
        // The rows are in the database file itself now: a copy of the file alone, without its log, has them.
        let copy = temporaryDatabasePath()
        defer { try? FileManager.default.removeItem(atPath: copy) }
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        let count = try DatabaseQueue(path: copy).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM filler") }
        #expect(count == 2_000)
    }

    @Test func aReaderOnAnOlderSnapshotLeavesTheRestOfTheLogForLater() throws {
        let path = temporaryDatabasePath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try SQLiteDatabase(path: path)
        try database.takeOverCheckpoints()
        try Self.write(database, rows: 100)
        var unsafe = Configuration()
        unsafe.allowsUnsafeTransactions = true
        let reader = try DatabaseQueue(path: path, configuration: unsafe)
        try reader.inDatabase { db in
            try db.beginTransaction(.deferred)
            _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM filler")
        }
        try Self.write(database, rows: 1_000)
        let blocked = try database.checkpoint()
        #expect(blocked.blocked)
        #expect(blocked.uncopiedFrames > 0)
        try reader.inDatabase { db in try db.commit() }
        let after = try database.checkpoint()
        #expect(after.uncopiedFrames == 0)
    }
}
