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
