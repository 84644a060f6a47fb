import Access
import Crypto
public import Foundation
import Hummingbird
import ServiceLifecycle

/// What a signed-in browser session remembers. Stored server-side (the cookie holds only a random id).
public struct WorkbenchSession: Codable, Sendable, Hashable {
    public var accountID: Int64
    public var username: String
    /// Sent back with every form and script call (see `CSRF`).
    public var csrf: String
    public var signedInAt: Date
    /// Last request, for idle expiry; updated at most once a minute.
    public var lastSeen: Date
    /// Sensitive items (media, content warnings) shown during this session, for the break reminder.
    public var sensitiveSeen: Int

    public init(accountID: Int64, username: String, csrf: String, signedInAt: Date, lastSeen: Date, sensitiveSeen: Int = 0) {
        self.accountID = accountID
        self.username = username
        self.csrf = csrf
        self.signedInAt = signedInAt
        self.lastSeen = lastSeen
        self.sensitiveSeen = sensitiveSeen
    }
}

/// Hummingbird's `PersistDriver` (which hummingbird-auth's `SessionMiddleware` keeps sessions in) over our
/// `SessionStore`. Keys are hashed with SHA-256 before they reach the store, so the database never holds a
/// cookie value that could be replayed.
struct SessionPersistDriver: PersistDriver {
    let store: any SessionStore
    let now: @Sendable () -> Date

    init(store: any SessionStore, now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.now = now
    }

    func create<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        let current = now()
        guard try await store.insertSession(key: Self.digest(key), value: try Self.encode(value), expiresAt: expiry(expires, from: current), now: current)
        else { throw PersistError.duplicate }
    }

    func set<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        let current = now()
        try await store.putSession(key: Self.digest(key), value: try Self.encode(value), expiresAt: expiry(expires, from: current), now: current)
    }

    func get<Object: Codable & Sendable>(key: String, as: Object.Type) async throws -> Object? {
        guard let entry = try await store.session(key: Self.digest(key), now: now()) else { return nil }
        return Self.decode(Object.self, entry.value)
    }

    func getWithTTL<Object: Codable & Sendable>(key: String, as: Object.Type) async throws -> (object: Object, ttl: Duration?)? {
        let current = now()
        guard let entry = try await store.session(key: Self.digest(key), now: current),
            let value = Self.decode(Object.self, entry.value)
        else { return nil }
        let ttl = entry.expiresAt.map { Duration.seconds(max(0, Int64($0.timeIntervalSince(current)))) }
        return (value, ttl)
    }

    func remove(key: String) async throws {
        try await store.removeSession(key: Self.digest(key))
    }

    func shutdown() async throws {}

    func run() async throws {
        // Sweep expired sessions hourly, until the service group shuts down.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                _ = try? await store.removeExpiredSessions(now: now())
                try await Task.sleep(for: .seconds(3600))
            }
        }
    }

    private func expiry(_ duration: Duration?, from date: Date) -> Date? {
        duration.map { date.addingTimeInterval(TimeInterval($0.components.seconds)) }
    }

    static func digest(_ key: String) -> String {
        SHA256.hash(data: Array(key.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func decode<Object: Decodable>(_ type: Object.Type, _ bytes: [UInt8]) -> Object? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try? decoder.decode(type, from: Data(bytes))
    }

    static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        return [UInt8](try encoder.encode(value))
    }
}
