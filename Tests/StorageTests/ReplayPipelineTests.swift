import ActivityPub
import Foundation
import HerdwatchTestSupport
import Intake
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
        var input: Assessor.Input
        var subject: Subject
    }

    static func stream() throws -> [Entry] {
        let data = try Data(contentsOf: root.appendingPathComponent("Fixtures/streams/wave-2024-02.ndjson"))
        let lines = Array(data).split(separator: UInt8(ascii: "\n")).map { Array($0) }
        var stream: [Entry] = []
        for round in 0..<3 {
            for (index, line) in lines.enumerated() {
                // Each round's activities have ids of their own, so none is taken for a repeated delivery.
                let text = String(decoding: line, as: UTF8.self).replacingOccurrences(of: "/statuses/", with: "/statuses/r\(round)-")
                let body = Array(text.utf8)
                guard let envelope = try JSONValue.parse(body).objectValue, let json = envelope["activity"] else { continue }
                let activity = try Activity(json: json)
                let subject = Normalizer.subject(for: activity)
                let at = (subject.published ?? Date(timeIntervalSince1970: 1_700_000_000)).addingTimeInterval(Double(round) * 90_000)
                let status: SignatureStatus = (index + round) % 3 == 0 ? .unsigned : .verified
                let input = Assessor.Input(
                    activity: activity, body: body, provenance: Provenance(stated: status, actorID: activity.actorID), at: at)
                stream.append(Entry(input: input, subject: subject))
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
        // One activity at a time through the assessment step, as the server does…
        let plain = Reputation(store: plainStore, configuration: configuration)
        let plainAssessor = Assessor(engines: RuleEngineHolder(engine), reputation: plain, cases: nil)
        var expected: [Verdict] = []
        for item in stream {
            let assessment = await plainAssessor.assess(item.input)
            #expect(!assessment.duplicate)
            expected.append(assessment.verdict)
        }
        try plain.flush()

        // …and pipelined as `check` and `backtest` replay, prepared on workers and prefetched a batch at a time.
        let pipelined = Reputation(store: pipelinedStore, configuration: configuration)
        let pipelinedAssessor = Assessor(engines: RuleEngineHolder(engine), reputation: pipelined, cases: nil)
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
            prepare: { (entry: Entry) in pipelinedAssessor.prepare(entry.input, subject: entry.subject) },
            consume: { (batch: [Assessor.Prepared]) in
                try pipelinedAssessor.prefetch(batch)
                for item in batch {
                    actual.append(await pipelinedAssessor.assess(item, prefetched: true).verdict)
                }
            })
        try pipelined.flush()

        #expect(actual.count == expected.count)
        #expect(actual == expected)
        #expect(expected.contains { $0.hits.contains { $0.rule == "reputation.campaign-many-actors" } }, "the stream exercises reputation rules")
        #expect(try pipelinedStore.observations(limit: 1_000) == plainStore.observations(limit: 1_000))
        #expect(try pipelinedStore.shadowHits(sinceDay: 0) == plainStore.shadowHits(sinceDay: 0))
        let last = try #require(stream.last)
        let later = last.input.at.addingTimeInterval(600)
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
