import Blocklists
import HerdwatchTestSupport
import Storage
import Testing

@Suite("Blocklist feed store")
struct BlocklistFeedStoreTests {
    @Test(arguments: BlocklistFeedStoreConformance.checks)
    func conforms(check: ConformanceCheck<any BlocklistFeedStore & BlocklistStore>) async throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(at: path) }
        try await check.run(on: SQLiteBlocklistStore(database: try SQLiteDatabase(path: path)))
    }
}
