import Blocklists
import HerdwatchTestSupport
import Storage
import Testing

@Suite("BlocklistStore conformance")
struct BlocklistStoreConformanceTests {
    @Test(arguments: StoreKind.allCases, BlocklistStoreConformance.checks)
    func conforms(kind: StoreKind, check: ConformanceCheck<any BlocklistStore>) async throws {
        let (store, cleanup) = try kind.blocklistStore()
        defer { cleanup() }
        try await check.run(on: store)
    }

    @Test(arguments: StoreKind.allCases, BlocklistReviewStoreConformance.checks)
    func reviewConforms(kind: StoreKind, check: ConformanceCheck<any BlocklistReviewStore>) async throws {
        let (store, cleanup) = try kind.blocklistStore()
        defer { cleanup() }
        try await check.run(on: try #require(store as? any BlocklistReviewStore))
    }

    @Test(arguments: BlocklistImportStoreConformance.checks)
    func importConforms(check: ConformanceCheck<any BlocklistImportStore>) async throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(at: path) }
        try await check.run(on: SQLiteBlocklistStore(database: try SQLiteDatabase(path: path)))
    }

    @Test func anAppliedListIsInTheFileWhenApplyReturns() async throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(at: path) }
        let store = SQLiteBlocklistStore(database: try SQLiteDatabase(path: path))
        _ = try await store.apply([DomainBlock(domain: "a.example", severity: .suspend, privateComment: "case 7")])
        let reopened = SQLiteBlocklistStore(database: try SQLiteDatabase(path: path))
        #expect(try await reopened.block(domain: "a.example")?.privateComment == "case 7")
    }
}
