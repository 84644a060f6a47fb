import Foundation
import HerdwatchTestSupport
import Testing

/// What the repository's own documents promise a newcomer.
@Suite("Repository documents")
struct RepositoryDocsTests {
    private func read(_ path: String) throws -> String {
        try String(contentsOf: CLI.root.appendingPathComponent(path), encoding: .utf8)
    }

    /// A path on the machine the fixtures were written on means nothing on a reader's.
    @Test(arguments: [
        "README.md", "Fixtures/README.md", "Benchmarks/README.md", "docs/api.md", "docs/configuration.md", "docs/firewall.md",
        "docs/metrics.md", "docs/rules.md",
    ])
    func namesNoAbsolutePath(document: String) throws {
        let text = try read(document)
        // At the start of a line or after a space, quote or bracket: not a URL's path.
        let absolute = try Regex(#"(?m)(?:^|[\s`'"(\[])(/(?:work|root|home|Users|opt|srv|mnt)/[\w.-]+)"#)
        let found = text.matches(of: absolute).compactMap { $0.output[1].substring.map(String.init) }
        #expect(found.isEmpty, "\(document) names \(found)")
    }

    @Test func benchmarksReadmeDocumentsEveryBenchmarkAndLinksTheDiary() throws {
        let text = try read("Benchmarks/README.md")
        let headings = text.split(separator: "\n").filter { $0.hasPrefix("## ") }
        for command in [
            "`herdwatch-bench`", "`herdwatch-bench stream`", "`herdwatch-bench serve`", "`herdwatch-bench json`",
            "`herdwatch-bench queue`", "`herdwatch-bench admin-api`", "`herdwatch-bench nodes`", "`herdwatch-bench media`",
        ] {
            #expect(headings.contains { $0.hasSuffix(": \(command)") }, "Benchmarks/README.md has no section for \(command)")
        }
        #expect(text.contains("## Current figures"))
        let diary = try FileManager.default.contentsOfDirectory(
            atPath: CLI.root.appendingPathComponent("Benchmarks/diary").path)
        #expect(diary.contains { $0.hasSuffix(".md") })
    }
}
