public import Foundation
import Synchronization

/// Durable storage of browser sessions. Keys arrive already hashed (the cookie's value never reaches the store,
/// so a copy of the database cannot be used to sign in); values are opaque bytes with an expiry.
public protocol SessionStore: Sendable {
    /// Stores `value` under `key`, replacing any value; `expiresAt` nil keeps the existing expiry (or none).
    func putSession(key: String, value: [UInt8], expiresAt: Date?, now: Date) async throws
    /// Inserts `value` under a new key; returns false when the key already exists.
    func insertSession(key: String, value: [UInt8], expiresAt: Date?, now: Date) async throws -> Bool
    /// The value and expiry under `key`, nil when absent or expired at `now`.
    func session(key: String, now: Date) async throws -> (value: [UInt8], expiresAt: Date?)?
    func removeSession(key: String) async throws
    /// Removes every session that expired before `now`; returns how many.
    @discardableResult
    func removeExpiredSessions(now: Date) async throws -> Int
}

/// `SessionStore` in memory, for tests and for a server without a database file.
public final class InMemorySessionStore: SessionStore {
    private let entries = Mutex<[String: (value: [UInt8], expiresAt: Date?)]>([:])

    public init() {}

    public func putSession(key: String, value: [UInt8], expiresAt: Date?, now: Date) async throws {
        entries.withLock { entries in
            let expiry = expiresAt ?? entries[key]?.expiresAt
            entries[key] = (value, expiry)
        }
    }

    public func insertSession(key: String, value: [UInt8], expiresAt: Date?, now: Date) async throws -> Bool {
        entries.withLock { entries in
            if let existing = entries[key], existing.expiresAt.map({ $0 > now }) ?? true { return false }
            entries[key] = (value, expiresAt)
            return true
        }
    }

    public func session(key: String, now: Date) async throws -> (value: [UInt8], expiresAt: Date?)? {
        entries.withLock { entries in
            guard let entry = entries[key], entry.expiresAt.map({ $0 > now }) ?? true else { return nil }
            return entry
        }
    }

    public func removeSession(key: String) async throws {
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }

    public func removeExpiredSessions(now: Date) async throws -> Int {
        entries.withLock { entries in
            let expired = entries.filter { $0.value.expiresAt.map { $0 <= now } ?? false }.map(\.key)
            for key in expired { entries.removeValue(forKey: key) }
            return expired.count
        }
    }
}
