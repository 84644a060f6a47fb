import Foundation
public import Testing

/// One behaviour every implementation of a store protocol must have, run on a fresh, empty store. A test suite
/// runs each check of a protocol's list on each implementation (`@Test(arguments: StoreKind.allCases, checks)`).
public struct ConformanceCheck<Store: Sendable>: Sendable, CustomTestStringConvertible {
    public let name: String
    private let body: @Sendable (Store) async throws -> Void

    public init(_ name: String, _ body: @escaping @Sendable (Store) async throws -> Void) {
        self.name = name
        self.body = body
    }

    public func run(on store: Store) async throws {
        try await body(store)
    }

    public var testDescription: String { name }
}

extension ConformanceCheck {
    /// A check of a synchronous store protocol (`ReputationStore`, `FollowStore`), run on a thread of its own:
    /// such stores may block their thread (the PostgreSQL ones do), which the Swift concurrency pool must not.
    public static func blocking(_ name: String, _ body: @escaping @Sendable (Store) throws -> Void) -> Self {
        Self(name) { store in try await onOwnThread { try body(store) } }
    }
}

/// Runs `body` on a new thread and waits for it without holding a thread of the concurrency pool: for code that
/// blocks, such as the synchronous stores on PostgreSQL.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
