import GRDB
import Synchronization

extension SQLiteDatabase {
    /// What one checkpoint pass did, as SQLite reports it.
    public struct CheckpointResult: Sendable, Equatable {
        /// Frames in the write-ahead log.
        public var logFrames: Int
        /// Frames of the log now copied into the database file.
        public var checkpointedFrames: Int
        /// True when a reader on an older snapshot kept the pass from copying the whole log.
        public var blocked: Bool

        /// Frames left in the log that this pass could not copy.
        public var uncopiedFrames: Int { max(0, logFrames - checkpointedFrames) }
    }

    /// Stops commits from checkpointing the write-ahead log themselves; whoever calls this must then call
    /// ``checkpoint()`` regularly, and ``releaseCheckpoints()`` when it stops.
    ///
    /// By default the commit that grows the log past its threshold copies the whole log into the database file
    /// and syncs it before it returns: under the workbench's load that was a decision taking 120 ms instead of 5.
    public func takeOverCheckpoints() throws(StorageError) {
        do {
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = 0") }
        } catch {
            throw Self.storageError(error, path: path, doing: "configure")
        }
    }

    /// Gives checkpoints back to commits (the threshold set at open).
    public func releaseCheckpoints() throws(StorageError) {
        do {
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Self.autocheckpointPages)")
            }
        } catch {
            throw Self.storageError(error, path: path, doing: "configure")
        }
    }

    /// Copies what it can of the write-ahead log into the database file, on a connection of its own, without
    /// waiting for writers or readers (SQLite's passive checkpoint): commits go on meanwhile. Blocks the calling
    /// thread for the copy and the sync.
    public func checkpoint() throws(StorageError) -> CheckpointResult {
        do {
            let connection = try checkpointConnection.withLock { connection in
                if let connection { return connection }
                var configuration = Configuration()
                configuration.busyMode = .timeout(1)
                let opened = try DatabaseQueue(path: path, configuration: configuration)
                connection = opened
                return opened
            }
            return try connection.inDatabase { db in
                guard let row = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)") else {
                    return CheckpointResult(logFrames: 0, checkpointedFrames: 0, blocked: false)
                }
                let busy: Int = row[0]
                let log: Int = row[1]
                let done: Int = row[2]
                return CheckpointResult(logFrames: max(0, log), checkpointedFrames: max(0, done), blocked: busy != 0 || done < log)
            }
        } catch {
            throw Self.storageError(error, path: path, doing: "checkpoint")
        }
    }
}
