import Foundation
import GRDB
import HerdwatchTestSupport
import Reputation
import Storage
import Testing

@Suite("SQLite database: files, migrations and faults")
struct DatabaseFaultTests {
    @Test func createsTheFileAndFolderAndMigratesOnce() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("herdwatch-\(UUID().uuidString)")
        let path = folder.appendingPathComponent("nested/herdwatch.sqlite").path
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try SQLiteDatabase(path: path)
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(try database.appliedMigrations() == SQLiteDatabase.knownMigrations)
        #expect(try database.integrityProblems() == [])
        // Reopening is idempotent and keeps data.
        try SQLiteReputationStore(database: database).apply(changes(actor: "https://a.example/users/1"))
        let reopened = try SQLiteDatabase(path: path)
        #expect(try SQLiteReputationStore(database: reopened).actors(["https://a.example/users/1"]).count == 1)
    }

    @Test func aFileThatIsNotADatabaseIsACleanError() throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(at: path) }
        try Data(repeating: 0x42, count: 8_192).write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try SQLiteDatabase(path: path)
        } throws: { error in
            guard let error = error as? StorageError else { return false }
            return error.code == .corrupt && error.message.contains("not a Herdwatch database or is corrupt")
        }
    }

    @Test func aDatabaseFromANewerHerdwatchIsRefusedUntouched() throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(at: path) }
        _ = try SQLiteDatabase(path: path)
        try sqlite(path, "INSERT INTO grdb_migrations (identifier) VALUES ('2099-01-01-from-the-future')")
        #expect {
            _ = try SQLiteDatabase(path: path)
        } throws: { error in
            (error as? StorageError)?.code == .newerSchema
        }
    }

    @Test func anOlderSchemaIsMigratedKeepingItsTables() throws {
        // A file made before any Herdwatch migration ran (e.g. by an operator's own tooling).
        let path = temporaryDatabasePath()
        defer { removeDatabase(at: path) }
        try sqlite(path, "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('kept');")
        let database = try SQLiteDatabase(path: path)
        #expect(try database.appliedMigrations() == SQLiteDatabase.knownMigrations)
        #expect(try sqliteOutput(path, "SELECT text FROM notes") == "kept")
    }

    @Test func aDatabaseFromThePreviousReleaseIsUpgradedInPlace() throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(at: path) }
        let current = try SQLiteDatabase(path: path)
        try SQLiteReputationStore(database: current).apply(changes(actor: "https://a.example/users/1"))
        // Roll the file back to the schema the previous release left: its observation index, no later migration.
        try sqlite(
            path,
            "CREATE INDEX observation_actor ON observation (actor_id, at); "
                + "DELETE FROM grdb_migrations WHERE identifier = '2026-11-27-drop-observation-actor-index';")
        #expect(try sqliteOutput(path, "SELECT count(*) FROM sqlite_master WHERE name = 'observation_actor'") == "1")
        let upgraded = try SQLiteDatabase(path: path)
        #expect(try upgraded.appliedMigrations() == SQLiteDatabase.knownMigrations)
        #expect(try sqliteOutput(path, "SELECT count(*) FROM sqlite_master WHERE name = 'observation_actor'") == "0")
        #expect(try SQLiteReputationStore(database: upgraded).actors(["https://a.example/users/1"]).count == 1)
    }

    @Test func aLockHeldPastTheTimeoutIsReportedAsLocked() async throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(at: path) }
        let database = try SQLiteDatabase(path: path, busyTimeout: 0.2)
        try await whileAnotherConnectionHoldsTheWriteLock(of: path, for: 600) {
            #expect {
                try SQLiteReputationStore(database: database).apply(changes(actor: "https://a.example/users/1"))
            } throws: { error in
                (error as? StorageError)?.code == .locked
            }
        }
        // Once the other writer is done, the same write goes through.
        try SQLiteReputationStore(database: database).apply(changes(actor: "https://a.example/users/1"))
    }

    @Test func aFullDiskFailsTheWholeBatchAndKeepsEarlierData() throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(at: path) }
        let database = try SQLiteDatabase(path: path)
        let store = SQLiteReputationStore(database: database)
        try store.apply(changes(actor: "https://a.example/users/kept"))
        let pages = try sqliteOutput(path, "PRAGMA page_count")
        // SQLite reports a full disk as SQLITE_FULL; a page cap on the connection produces exactly that.
        let limited = try SQLiteDatabase(path: path, migrate: false, maxPageCount: Int(pages)! + 2)
        var huge = ReputationChanges()
        huge.observations = (0..<2_000).map { index in
            ObservationRecord(
                at: Date(), activityID: "https://a.example/\(index)", activityType: "Create", actorID: "x", actorHost: "a.example",
                action: "hold", score: 1, rules: [], signature: .verified, body: Array(repeating: 0x41, count: 4_096))
        }
        #expect {
            try SQLiteReputationStore(database: limited).apply(huge)
        } throws: { error in
            (error as? StorageError)?.code == .full
        }
        #expect(try store.observations(limit: 10).isEmpty, "no half-written batch")
        #expect(try store.actors(["https://a.example/users/kept"]).count == 1)
    }

    @Test func twoProcessesCanWriteTheSameFile() throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(at: path) }
        let first = SQLiteReputationStore(database: try SQLiteDatabase(path: path))
        let second = SQLiteReputationStore(database: try SQLiteDatabase(path: path))
        DispatchQueue.concurrentPerform(iterations: 40) { index in
            let store = index.isMultiple(of: 2) ? first : second
            try! store.apply(changes(actor: "https://a.example/users/\(index)"))
        }
        #expect(try first.actors((0..<40).map { "https://a.example/users/\($0)" }).count == 40)
    }

    @Test func backupMakesAnIndependentCopy() throws {
        let path = temporaryDatabasePath()
        let copy = temporaryDatabasePath()
        defer {
            removeDatabase(at: path)
            removeDatabase(at: copy)
        }
        let database = try SQLiteDatabase(path: path)
        try SQLiteReputationStore(database: database).apply(changes(actor: "https://a.example/users/1"))
        try database.backup(to: copy)
        let restored = try SQLiteDatabase(path: copy)
        #expect(try SQLiteReputationStore(database: restored).actors(["https://a.example/users/1"]).count == 1)
        #expect(throws: StorageError.self) { try database.backup(to: copy) }
    }
}

func changes(actor: String) -> ReputationChanges {
    var changes = ReputationChanges()
    changes.actors = [ActorRecord(id: actor, host: "a.example", lastSeen: Date(timeIntervalSince1970: 1_700_000_000))]
    return changes
}

/// Runs SQL on its own connection, as another program would.
func sqlite(_ path: String, _ sql: String) throws {
    let queue = try DatabaseQueue(path: path)
    try queue.writeWithoutTransaction { db in try db.execute(sql: sql) }
    try queue.close()
}

func sqliteOutput(_ path: String, _ sql: String) throws -> String {
    let queue = try DatabaseQueue(path: path)
    defer { try? queue.close() }
    return try queue.read { db in try String.fetchAll(db, sql: sql).joined(separator: "\n") }
}

@Suite("SQLite reputation store: campaign fingerprint versions")
struct CampaignFingerprintVersionTests {
    @Test func campaignsOfAnotherFingerprintVersionAreNotReadBack() throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(at: path) }
        let store = SQLiteReputationStore(database: try SQLiteDatabase(path: path))
        let at = Date(timeIntervalSince1970: 1_790_000_000)
        var campaign = CampaignRecord(id: 7, firstSeen: at)
        campaign.size = 3
        campaign.signature = Array(repeating: 5, count: 100)
        var changes = ReputationChanges()
        changes.campaigns = [campaign]
        changes.bands = [(11, 7), (12, 7)]
        try store.apply(changes)
        #expect(try store.campaign(forBands: [12])?.id == 7)
        #expect(try store.openCampaigns(seenSince: at.addingTimeInterval(-60)).map(\.campaign.id) == [7])

        let queue = try DatabaseQueue(path: path)
        #expect(try queue.read { try Int.fetchOne($0, sql: "SELECT fingerprint_version FROM campaign") } == CampaignFingerprint.version)
        // As if an earlier algorithm had made it: its bands no longer lead to it.
        try queue.write { try $0.execute(sql: "UPDATE campaign SET fingerprint_version = ?", arguments: [CampaignFingerprint.version - 1]) }
        #expect(try store.campaign(forBands: [11, 12]) == nil)
        #expect(try store.openCampaigns(seenSince: at.addingTimeInterval(-60)).isEmpty)
    }
}
