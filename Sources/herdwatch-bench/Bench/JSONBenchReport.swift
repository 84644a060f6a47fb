import ActivityPub
import Foundation

/// What `herdwatch-bench json` measured.
struct JSONBenchReport: Encodable, TextReport {
    struct Row: Encodable {
        var measurement: String
        var parser: String
        var medianPassMicroseconds: Double
        var megabytesPerSecond: Double
        var parsesPerSecond: Double
    }

    var date: String
    var documents: Int
    var bytes: Int
    var passes: Int
    var rows: [Row]

    init(corpus: JSONCorpus, passes: Int) throws {
        let decoder = JSONDecoder()
        let documents = corpus.documents
        let parsers: [(String, String, (JSONCorpus.Document) throws -> Void)] = [
            ("1", "JSONValue.parse", { _ = try JSONValue.parse($0.bytes) }),
            ("2", "JSONSerialization.jsonObject", { _ = try JSONSerialization.jsonObject(with: $0.data) }),
            ("3", "Activity.decode", { _ = try Activity.decode($0.bytes) }),
            ("4", "JSONDecoder → DecodableActivity", { _ = try decoder.decode(DecodableActivity.self, from: $0.data) }),
        ]
        let bytes = Double(corpus.totalBytes)
        rows = try parsers.map { measurement, parser, parse in
            let summary = try LatencySampler.measure(iterations: passes) {
                for document in documents { try parse(document) }
            }
            let seconds = summary.medianMicroseconds / 1e6
            return Row(
                measurement: measurement, parser: parser, medianPassMicroseconds: summary.medianMicroseconds,
                megabytesPerSecond: bytes / seconds / 1e6, parsesPerSecond: Double(documents.count) / seconds)
        }
        date = ISO8601DateFormatter().string(from: Date())
        self.documents = documents.count
        self.bytes = corpus.totalBytes
        self.passes = passes
    }

    var text: String {
        func ratio(_ ours: Int, _ theirs: Int) -> String {
            String(format: "%.1f×", rows[ours].megabytesPerSecond / rows[theirs].megabytesPerSecond)
        }
        var lines = [
            "herdwatch-bench json  \(date)  \(documents) activities, \(bytes) bytes, median of \(passes) passes",
            "    parser                              MB/s     parses/s",
        ]
        for row in rows {
            lines.append(
                "(\(row.measurement)) " + row.parser.padding(toLength: 32, withPad: " ", startingAt: 0)
                    + String(format: "%8.1f %12.0f", row.megabytesPerSecond, row.parsesPerSecond))
        }
        lines.append("ours over Foundation: tree (1)/(2) \(ratio(0, 1)), activity (3)/(4) \(ratio(2, 3))")
        return lines.joined(separator: "\n")
    }
}
