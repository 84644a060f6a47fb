public import Access
import Foundation
import Testing

/// What every `SessionStore` implementation must do.
public enum SessionStoreConformance {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    public static let checks: [ConformanceCheck<any SessionStore>] = [
        ConformanceCheck("a session is found by its key until it expires, and not after") { (store: any SessionStore) async throws in
            #expect(try await store.insertSession(key: "k1", value: [1, 2, 3], expiresAt: now + 60, now: now))
            let found = try await store.session(key: "k1", now: now)
            #expect(found?.value == [1, 2, 3])
            #expect(found?.expiresAt == now + 60)
            #expect(try await store.session(key: "k1", now: now + 60) == nil)
            #expect(try await store.session(key: "other", now: now) == nil)
        },
        ConformanceCheck("inserting under a live key is refused and keeps the first value; an expired key is reused") { (store: any SessionStore) async throws in
            #expect(try await store.insertSession(key: "k", value: [1], expiresAt: now + 10, now: now))
            #expect(try await store.insertSession(key: "k", value: [2], expiresAt: now + 10, now: now) == false)
            #expect(try await store.session(key: "k", now: now)?.value == [1])
            #expect(try await store.insertSession(key: "k", value: [3], expiresAt: now + 100, now: now + 20))
            #expect(try await store.session(key: "k", now: now + 20)?.value == [3])
        },
        ConformanceCheck("put replaces the value and keeps the expiry unless it is given") { (store: any SessionStore) async throws in
            try await store.putSession(key: "k", value: [1], expiresAt: now + 10, now: now)
            try await store.putSession(key: "k", value: [2], expiresAt: nil, now: now)
            #expect(try await store.session(key: "k", now: now)?.value == [2])
            #expect(try await store.session(key: "k", now: now)?.expiresAt == now + 10)
            try await store.putSession(key: "k", value: [3], expiresAt: now + 50, now: now)
            #expect(try await store.session(key: "k", now: now + 30)?.value == [3])
        },
        ConformanceCheck("remove deletes one session; expired sessions are swept, live ones kept") { (store: any SessionStore) async throws in
            try await store.putSession(key: "a", value: [1], expiresAt: now + 10, now: now)
            try await store.putSession(key: "b", value: [2], expiresAt: now + 100, now: now)
            try await store.putSession(key: "c", value: [3], expiresAt: now + 10, now: now)
            try await store.removeSession(key: "c")
            #expect(try await store.session(key: "c", now: now) == nil)
            #expect(try await store.removeExpiredSessions(now: now + 50) == 1)
            #expect(try await store.session(key: "b", now: now + 50)?.value == [2])
        },
    ]
}
