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

    @Test func applyAddsChangesAndKeepsPrivateCommentsInOneTransaction() async throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(at: path) }
        let store = SQLiteBlocklistStore(database: try SQLiteDatabase(path: path))
        try await store.save(DomainBlock(domain: "a.example", severity: .silence, privateComment: "case 7"))
        try await store.save(DomainBlock(domain: "same.example", publicComment: "spam"))
        let outcome = try await store.apply([
            DomainBlock(domain: "a.example", severity: .suspend),
            DomainBlock(domain: "same.example", publicComment: "spam"),
            DomainBlock(domain: "new.example", severity: .noop),
        ])
        #expect(outcome == .init(added: 1, changed: 1, unchanged: 1))
        let reopened = SQLiteBlocklistStore(database: try SQLiteDatabase(path: path))
        let a = try await reopened.block(domain: "a.example")
        #expect(a?.severity == .suspend)
        #expect(a?.privateComment == "case 7")
        #expect(a?.revision == 2)
        #expect(try await reopened.block(domain: "same.example")?.revision == 1)
        #expect(try await reopened.blocks().map(\.domain) == ["a.example", "new.example", "same.example"])
    }
}
