import Access
import HerdwatchTestSupport
import Testing

@Suite("AccessStore conformance")
struct AccessStoreConformanceTests {
    @Test(arguments: StoreKind.allCases, AccessStoreConformance.checks)
    func conforms(kind: StoreKind, check: ConformanceCheck<any AccessStore>) async throws {
        let (store, cleanup) = try kind.accessStore()
        defer { cleanup() }
        try await check.run(on: store)
    }
}
