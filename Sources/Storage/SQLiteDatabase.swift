public import Foundation
import GRDB
import Synchronization

/// The SQLite database file: opened once per process, in WAL mode, migrated on first use.
///
/// Default path: `$HERDWATCH_DB`, else `$XDG_DATA_HOME/herdwatch/herdwatch.sqlite`
/// (`~/.local/share/herdwatch/herdwatch.sqlite`).
public final class SQLiteDatabase: Sendable {
    public let path: String
    let pool: DatabasePool
    /// Read-only connections for synchronous reads from threads that may block (the reputation store's), opened
    /// on first use; see `blockingRead`.
    private let blockingReaders = Mutex<DatabasePool?>(nil)
    /// The connection `checkpoint()` runs on, opened on first use.
    let checkpointConnection = Mutex<DatabaseQueue?>(nil)
    private let configuration: Configuration

    public static var defaultPath: String {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["HERDWATCH_DB"], !path.isEmpty { return path }
        let dataHome =
            environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".local/share")
        return (dataHome as NSString).appendingPathComponent("herdwatch/herdwatch.sqlite")
    }

    /// Opens (creating the file and its folder if needed) and migrates the database.
    /// - Parameters:
    ///   - busyTimeout: how long a write waits for another process holding the lock.
    ///   - maxPageCount: caps the file size in pages (for tests of a full disk, and for operators who want a cap).
    public init(path: String, migrate: Bool = true, busyTimeout: TimeInterval = 5, maxPageCount: Int? = nil)
        throws(StorageError)
    {
        self.path = path
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) {
            do {
                try FileManager.default.createDirectory(
                    atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw StorageError(code: .cannotOpen, message: "cannot create the folder \(folder): \(error.localizedDescription)", path: path)
            }
        }
        // The file holds held direct messages and password hashes: readable by its owner alone. SQLite gives
        // the -wal and -shm files the database file's permissions.
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw StorageError(code: .cannotOpen, message: "cannot create the database file; check the folder's permissions", path: path)
            }
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Reputation batches update keys spread over whole tables. Checkpointing every 64 MiB of log rather
            // than SQLite's default 4 MiB writes a page that several batches touched once, not once per batch
            // (measured: a third less write time over `herdwatch bench stream`).
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Self.autocheckpointPages)")
            // 32 MiB of page cache for the one writing connection instead of SQLite's 2 MiB: the reputation
            // writer's upserts land all over the actor, domain and counter tables, and with the default most of
            // them re-read their page from the file first. Readers (up to five) keep the default, so memory
            // stays bounded.
            if !db.configuration.readonly { try db.execute(sql: "PRAGMA cache_size = -32768") }
            if let maxPageCount { try db.execute(sql: "PRAGMA max_page_count = \(maxPageCount)") }
        }
        self.configuration = configuration
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw Self.storageError(error, path: path, doing: "open")
        }
        if migrate { try self.migrate() }
    }

    /// A synchronous read on connections of its own, never on `pool`'s readers.
    ///
    /// `pool`'s async reads give their connection back only when their task resumes, on the threads that run
    /// tasks. A synchronous read that waited for one of those connections while holding a lock those threads wait
    /// for (the reputation's, held while a case decision is fed back) would wait forever: under load the server
    /// stopped answering and could not be stopped with SIGTERM. These connections are held only by synchronous
    /// reads, which give them back on the thread they ran on.
    func blockingRead<T>(_ body: (GRDB.Database) throws -> T) throws -> T {
        let readers = try blockingReaders.withLock { readers in
            if let readers { return readers }
            var readOnly = configuration
            readOnly.readonly = true
            readOnly.maximumReaderCount = Self.blockingReaderCount
            let opened = try DatabasePool(path: path, configuration: readOnly)
            readers = opened
            return opened
        }
        return try readers.read(body)
    }

    /// The log size, in pages, past which a commit checkpoints (unless a service took checkpoints over).
    static let autocheckpointPages = 16384

    /// At most this many synchronous reads at once (the server's blocking pool has two threads on two cores).
    static let blockingReaderCount = 4

    /// Applies pending migrations. A database written by a newer Herdwatch is refused, not altered.
    public func migrate() throws(StorageError) {
        do {
            let superseded = try pool.read { db in try Migrations.migrator.hasBeenSuperseded(db) }
            if superseded {
                throw StorageError(
                    code: .newerSchema,
                    message: "this database was written by a newer Herdwatch (it has migrations this version does not know); upgrade herdwatch or use another --db",
                    path: path)
            }
            try Migrations.migrator.migrate(pool)
        } catch let error as StorageError {
            throw error
        } catch {
            throw Self.storageError(error, path: path, doing: "migrate")
        }
    }

    /// Migrations applied to the file, oldest first.
    public func appliedMigrations() throws(StorageError) -> [String] {
        do {
            return try pool.read { db in try Migrations.migrator.appliedMigrations(db) }
        } catch {
            throw Self.storageError(error, path: path, doing: "read")
        }
    }

    /// Migrations this version knows.
    public static var knownMigrations: [String] { Migrations.migrator.migrations }

    /// Runs SQLite's integrity check; returns the problems it reports (empty when the file is sound).
    public func integrityProblems() throws(StorageError) -> [String] {
        do {
            return try pool.read { db in
                try String.fetchAll(db, sql: "PRAGMA integrity_check").filter { $0 != "ok" }
            }
        } catch {
            throw Self.storageError(error, path: path, doing: "check")
        }
    }

    /// Copies the database to `destination` with SQLite's online backup API: safe while others write.
    public func backup(to destination: String) throws(StorageError) {
        if FileManager.default.fileExists(atPath: destination) {
            throw StorageError(code: .failed, message: "backup destination exists; choose a new file name", path: destination)
        }
        do {
            let target = try DatabaseQueue(path: destination)
            try pool.backup(to: target)
            try target.close()
        } catch {
            throw Self.storageError(error, path: destination, doing: "back up to")
        }
    }

    static func storageError(_ error: any Error, path: String, doing action: String) -> StorageError {
        guard let error = error as? DatabaseError else {
            return StorageError(code: .failed, message: "cannot \(action) the database: \(error)", path: path)
        }
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return StorageError(
                code: .locked,
                message: "the database is locked by another process and stayed locked past the timeout; stop the other writer or retry",
                path: path)
        case .SQLITE_FULL:
            return StorageError(code: .full, message: "the disk is full; free space and retry (nothing was half-written)", path: path)
        case .SQLITE_NOTADB, .SQLITE_CORRUPT:
            return StorageError(
                code: .corrupt,
                message: "this file is not a Herdwatch database or is corrupt; restore a backup (`herdwatch db backup`) or point --db at a new file",
                path: path)
        case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM:
            return StorageError(
                code: error.resultCode == .SQLITE_CANTOPEN ? .cannotOpen : .readOnly,
                message: "cannot \(action) the database: \(error.message ?? "permission denied"); check the path and its permissions",
                path: path)
        default:
            return StorageError(code: .failed, message: "cannot \(action) the database: SQLite error \(error.resultCode.rawValue) (\(error.message ?? "unknown"))", path: path)
        }
    }
}
