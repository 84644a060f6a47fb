import Access
import HerdwatchTestSupport
import Testing

@Suite("SessionStore conformance")
struct SessionStoreConformanceTests {
    @Test(arguments: StoreKind.allCases, SessionStoreConformance.checks)
    func conforms(kind: StoreKind, check: ConformanceCheck<any SessionStore>) async throws {
        let (store, cleanup) = try kind.sessionStore()
        defer { cleanup() }
        try await check.run(on: store)
    }
}
