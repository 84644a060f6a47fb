public import Access
public import Blocklists
import Foundation
public import Reputation
public import ReviewQueue
import Storage
public import Testing

/// The implementations of the store protocols: every one must pass the same conformance suites.
public enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case memory
    /// On a new SQLite file in the temporary folder, removed by the cleanup.
    case sqlite

    public var testDescription: String { rawValue }

    public func caseStore() throws -> (store: any CaseStore, cleanup: @Sendable () -> Void) {
        switch self {
        case .memory: (InMemoryCaseStore(), {})
        case .sqlite: try Self.onTemporaryFile(SQLiteCaseStore.init(database:))
        }
    }

    public func accessStore() throws -> (store: any AccessStore, cleanup: @Sendable () -> Void) {
        switch self {
        case .memory: (InMemoryAccessStore(), {})
        case .sqlite: try Self.onTemporaryFile(SQLiteAccessStore.init(database:))
        }
    }

    public func sessionStore() throws -> (store: any SessionStore, cleanup: @Sendable () -> Void) {
        switch self {
        case .memory: (InMemorySessionStore(), {})
        case .sqlite: try Self.onTemporaryFile(SQLiteSessionStore.init(database:))
        }
    }

    public func reputationStore() throws -> (store: any ReputationStore, cleanup: @Sendable () -> Void) {
        switch self {
        case .memory: (InMemoryReputationStore(), {})
        case .sqlite: try Self.onTemporaryFile { SQLiteReputationStore(database: $0) }
        }
    }

    public func followStore() throws -> (store: any FollowStore, cleanup: @Sendable () -> Void) {
        switch self {
        case .memory: (InMemoryFollowStore(), {})
        case .sqlite: try Self.onTemporaryFile(SQLiteFollowStore.init(database:))
        }
    }

    public func blocklistStore() throws -> (store: any BlocklistStore, cleanup: @Sendable () -> Void) {
        switch self {
        case .memory: (InMemoryBlocklistStore(), {})
        case .sqlite: try Self.onTemporaryFile(SQLiteBlocklistStore.init(database:))
        }
    }

    private static func onTemporaryFile<Store>(
        _ make: (SQLiteDatabase) -> Store
    ) throws -> (store: Store, cleanup: @Sendable () -> Void) {
        let path = temporaryDatabasePath()
        return (make(try SQLiteDatabase(path: path)), { removeDatabase(at: path) })
    }
}

/// A path for a new SQLite file in the temporary folder.
public func temporaryDatabasePath() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("herdwatch-test-\(UUID().uuidString).sqlite").path
}

/// Removes a SQLite file with its write-ahead log and shared-memory file.
public func removeDatabase(at path: String) {
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
}
