import Foundation
import HerdwatchTestSupport
import Testing

@testable import herdwatch_bench

/// `herdwatch-bench admin-api`: an admin client pages through every domain block of a running server.
@Suite("bench admin-api")
struct AdminAPIBenchTests {
    /// A tiny run end to end on the debug server: 450 blocks in pages of 200 are three pages, every block read once.
    /// Not a timing test.
    @Test func aTinyRunReadsEveryBlockOnceFollowingTheLinks() throws {
        let result = try CLI.run(
            ["admin-api", "--blocks", "450", "--limit", "200", "--passes", "1", "--format", "json"], executable: "herdwatch-bench")
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(report["blocks"] as? Int == 450)
        #expect(report["pages"] as? Int == 3)
        #expect((report["entries_per_second"] as? Double ?? 0) > 0)
    }
}
