import ActivityPub
import Foundation
import HerdwatchTestSupport
import Reputation
import RuleEngine
import Testing

@Suite("Pipelined replay over every store")
struct ReplayPipelineTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The wave fixture three times over, a day apart, with every third activity unsigned: campaigns open, grow,
    /// label their actors, close and reopen.
    struct Entry: Sendable {
        var subject: Subject
        var signature: SignatureStatus
        var body: [UInt8]
        var at: Date
    }

    struct Prepared: Sendable {
        var subject: ReputationSubject
        var prepared: PreparedSubject
        var entry: Entry
    }

    static func stream() throws -> [Entry] {
        let data = try Data(contentsOf: root.appendingPathComponent("Fixtures/streams/wave-2024-02.ndjson"))
        let lines = Array(data).split(separator: UInt8(ascii: "\n")).map { Array($0) }
        var stream: [Entry] = []
        for round in 0..<3 {
            for (index, line) in lines.enumerated() {
                guard let envelope = try JSONValue.parse(line).objectValue, let json = envelope["activity"] else { continue }
                let subject = Normalizer.subject(for: try Activity(json: json))
                let at = (subject.published ?? Date(timeIntervalSince1970: 1_700_000_000)).addingTimeInterval(Double(round) * 90_000)
                stream.append(Entry(subject: subject, signature: (index + round) % 3 == 0 ? .unsigned : .verified, body: line, at: at))
            }
        }
        return stream
    }

    @Test(arguments: StoreKind.allCases)
    func pipelinedReplayGivesTheVerdictsOfOneAtATime(kind: StoreKind) async throws {
        let engine = RuleEngine(ruleSet: try RuleSet.load(directory: Self.root.appendingPathComponent("Rules").path))
        let stream = try Self.stream()
        // A small cache and frequent flushes, so batches straddle flushes and evictions.
        let configuration = Reputation.Configuration(cacheCapacity: 20, flushInterval: 9)

        let (plainStore, cleanPlain) = try kind.reputationStore()
        let (pipelinedStore, cleanPipelined) = try kind.reputationStore()
        defer {
            cleanPlain()
            cleanPipelined()
        }
        let plain = Reputation(store: plainStore, configuration: configuration)
        var expected: [Verdict] = []
        for item in stream {
            expected.append(try plain.evaluate(item.subject, with: engine, signature: item.signature, body: item.body, at: item.at))
        }
        try plain.flush()

        let pipelined = Reputation(store: pipelinedStore, configuration: configuration)
        var actual: [Verdict] = []
        var position = 0
        try await ReplayPipeline.run(
            workers: 3,
            next: {
                guard position < stream.count else { return nil }
                let batch = Array(stream[position..<min(position + 11, stream.count)])
                position += batch.count
                return batch
            },
            prepare: { (entry: Entry) in
                Prepared(subject: ReputationSubject(entry.subject), prepared: engine.prepare(entry.subject), entry: entry)
            },
            consume: { (batch: [Prepared]) in
                try pipelined.prefetch(batch.map(\.subject))
                for item in batch {
                    actual.append(
                        try pipelined.evaluate(
                            item.subject, prepared: item.prepared, with: engine, signature: item.entry.signature,
                            body: item.entry.body, at: item.entry.at, prefetched: true))
                }
            })
        try pipelined.flush()

        #expect(actual.count == expected.count)
        #expect(actual == expected)
        #expect(expected.contains { $0.hits.contains { $0.rule == "reputation.campaign-many-actors" } }, "the stream exercises reputation rules")
        #expect(try pipelinedStore.observations(limit: 1_000) == plainStore.observations(limit: 1_000))
        #expect(try pipelinedStore.shadowHits(sinceDay: 0) == plainStore.shadowHits(sinceDay: 0))
        let last = try #require(stream.last)
        let later = last.at.addingTimeInterval(600)
        for item in stream.suffix(20) {
            let fresh = (Reputation(store: plainStore), Reputation(store: pipelinedStore))
            #expect(try fresh.1.signals(for: item.subject, at: later).values == fresh.0.signals(for: item.subject, at: later).values)
        }
    }

    @Test func everyItemIsConsumedOnceInOrder() async throws {
        var batches = (0..<10).map { batch in (0..<(batch == 9 ? 3 : 17)).map { batch * 17 + $0 } }.makeIterator()
        var seen: [Int] = []
        try await ReplayPipeline.run(
            workers: 4, next: { batches.next() }, prepare: { $0 * 2 }, consume: { seen += $0 })
        #expect(seen == (0..<156).map { $0 * 2 })
    }
}
