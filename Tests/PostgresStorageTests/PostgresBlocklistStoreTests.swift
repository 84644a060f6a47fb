import Blocklists
import Foundation
import HerdwatchTestSupport
import PostgresStorage
import Synchronization
import Testing

@Suite(
    "PostgreSQL blocklist store",
    .enabled(if: TestPostgres.available, "needs HERDWATCH_TEST_POSTGRES_URL (Scripts/with-postgres)"))
struct PostgresBlocklistStoreTests {
    @Test(arguments: BlocklistStoreConformance.checks)
    func conforms(check: ConformanceCheck<any BlocklistStore>) async throws {
        try await TestPostgres.withDatabase { database in
            try await check.run(on: PostgresBlocklistStore(database: database))
        }
    }

    @Test(arguments: BlocklistImportStoreConformance.checks)
    func importConforms(check: ConformanceCheck<any BlocklistImportStore>) async throws {
        try await TestPostgres.withDatabase { database in
            try await check.run(on: PostgresBlocklistStore(database: database))
        }
    }

    @Test(arguments: BlocklistReviewStoreConformance.checks)
    func reviewConforms(check: ConformanceCheck<any BlocklistReviewStore>) async throws {
        try await TestPostgres.withDatabase { database in
            try await check.run(on: PostgresBlocklistStore(database: database))
        }
    }

    @Test(arguments: BlocklistFeedStoreConformance.checks)
    func feedConforms(check: ConformanceCheck<any BlocklistFeedStore & BlocklistStore>) async throws {
        try await TestPostgres.withDatabase { database in
            try await check.run(on: PostgresBlocklistStore(database: database))
        }
    }

    /// Two nodes asked for the snapshot at once after each change sign one snapshot between them: a sequence is
    /// never signed twice with different contents, and the chain has no gap.
    @Test func twoNodesPublishingAtOnceSignEachSequenceOnce() async throws {
        try await TestPostgres.withDatabase { database in
            let url = try #require(TestPostgres.url)
            let other = try PostgreSQLDatabase(url: url, schema: database.schema)
            let nodes = [PostgresBlocklistStore(database: database), PostgresBlocklistStore(database: other)]
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            try await nodes[0].saveSigningKeys([BlocklistSigningKey.generate(now: start)])
            var signed: [Int: Data] = [:]
            for round in 0..<8 {
                try await nodes[round % 2].save(DomainBlock(domain: "p\(round).example"))
                let now = start + Double(round)
                let published = try await withThrowingTaskGroup(of: PublishedSnapshot?.self) { group in
                    for node in nodes + nodes {
                        group.addTask {
                            try await node.publishedSnapshot(publisher: "a.example", validity: 3600, now: now)
                        }
                    }
                    var published: [PublishedSnapshot] = []
                    for try await snapshot in group { published += snapshot.map { [$0] } ?? [] }
                    return published
                }
                #expect(published.count == 4)
                #expect(Set(published.map(\.snapshot.sequence)) == [round + 1], "round \(round)")
                #expect(Set(published.map(\.envelope)).count == 1, "round \(round)")
                signed[round + 1] = published.first?.envelope
            }
            for (sequence, envelope) in signed {
                #expect(try await nodes[1].publishedSnapshot(sequence: sequence)?.envelope == envelope)
            }
            await other.close()
        }
    }

    /// Two nodes apply batches computed from the same entry at once: one applies, the other is refused and writes
    /// nothing, so no change is made on top of one its moderator never saw.
    @Test func ofTwoNodesApplyingOverTheSameEntryOneWinsAndTheOtherIsRefused() async throws {
        try await TestPostgres.withDatabase { database in
            let url = try #require(TestPostgres.url)
            let other = try PostgreSQLDatabase(url: url, schema: database.schema)
            let nodes = [PostgresBlocklistStore(database: database), PostgresBlocklistStore(database: other)]
            for round in 0..<10 {
                let domain = "r\(round).example"
                let seen = try await nodes[0].save(DomainBlock(domain: domain, severity: .silence))
                let outcomes = await withTaskGroup(of: Result<BlocklistBatch, any Error>.self) { group in
                    for (index, node) in nodes.enumerated() {
                        group.addTask {
                            var after = seen
                            after.severity = index == 0 ? .suspend : .noop
                            let change = BlocklistChange(kind: .escalation, expected: seen, after: after)
                            do {
                                return .success(
                                    try await node.applyBatch(
                                        [change], actor: "node\(index)", channel: .api, at: Date(), undoing: nil))
                            } catch {
                                return .failure(error)
                            }
                        }
                    }
                    var outcomes: [Result<BlocklistBatch, any Error>] = []
                    for await outcome in group { outcomes.append(outcome) }
                    return outcomes
                }
                let applied = outcomes.compactMap { try? $0.get() }
                #expect(applied.count == 1, "round \(round)")
                let refusals = outcomes.compactMap { outcome -> BlocklistReviewError? in
                    guard case .failure(let error) = outcome else { return nil }
                    return error as? BlocklistReviewError
                }
                #expect(refusals.map(\.domain) == [domain], "round \(round)")
                let stored = try await nodes[1].block(domain: domain)
                #expect(stored?.revision == 2)
                #expect(stored?.severity == applied.first?.items.first?.after.severity)
            }
            #expect(try await nodes[1].batches(limit: 100).count == 10)
            await other.close()
        }
    }

    @Test func theVersionMovesWithEveryChangeToTheListOrToWhatSubscriptionsCarry() async throws {
        try await TestPostgres.withDatabase { database in
            let store = PostgresBlocklistStore(database: database)
            var last = try await store.version()
            func moved() async throws -> Bool {
                let now = try await store.version()
                defer { last = now }
                return now > last
            }
            try await store.save(DomainBlock(domain: "a.example"))
            #expect(try await moved())
            try await store.retract(domain: "a.example", provenance: BlockProvenance(origin: .person("admin")))
            #expect(try await moved())
            try await store.saveSubscriptionEntries(id: "peer", [DomainBlock(domain: "p.example")])
            #expect(try await moved())
            #expect(try await store.allSubscriptionEntries().map(\.domain) == ["p.example"])
            try await store.removeSubscription(id: "peer")
            #expect(try await moved())
            #expect(try await store.allSubscriptionEntries().isEmpty)
            #expect(try await !moved())
        }
    }

    /// Two nodes (two pools on one schema) save and retract the same domains at once: each domain's revisions go
    /// 1, 2, 3, … with none handed out twice and none skipped, and each node sees its own grow. A third reader
    /// follows the change feed meanwhile and ends with the whole log, in order: no change is skipped because it
    /// committed after a later one was read.
    @Test func twoNodesCountingTheSameDomainsNeverCollide() async throws {
        try await TestPostgres.withDatabase { database in
            let url = try #require(TestPostgres.url)
            let other = try PostgreSQLDatabase(url: url, schema: database.schema)
            let nodes = [PostgresBlocklistStore(database: database), PostgresBlocklistStore(database: other)]
            let domains = (0..<4).map { "d\($0).example" }
            let rounds = 25
            let writing = StopFlag()
            async let followed: [PublishedChange] = {
                var seen: [PublishedChange] = []
                while true {
                    let finished = writing.isStopped
                    let page = try await nodes[1].changes(after: seen.last?.cursor ?? 0, limit: 1000)
                    seen += page
                    if finished && page.isEmpty { return seen }
                    try await Task.sleep(for: .milliseconds(2))
                }
            }()
            let results = try await withThrowingTaskGroup(of: [String: [Int]].self) { group in
                for (index, node) in nodes.enumerated() {
                    for lane in 0..<2 {
                        group.addTask {
                            var revisions: [String: [Int]] = [:]
                            for round in 0..<rounds {
                                for domain in domains {
                                    if (round + lane + index) % 3 == 2 {
                                        let who = BlockProvenance(origin: .person("node\(index)"))
                                        if let retracted = try await node.retract(domain: domain, provenance: who) {
                                            revisions[domain, default: []].append(retracted.revision)
                                        }
                                    } else {
                                        let saved = try await node.save(
                                            DomainBlock(domain: domain, severity: round % 2 == 0 ? .silence : .suspend))
                                        revisions[domain, default: []].append(saved.revision)
                                    }
                                }
                            }
                            return revisions
                        }
                    }
                }
                var all: [[String: [Int]]] = []
                for try await lane in group { all.append(lane) }
                return all
            }
            writing.stop()
            let log = try await nodes[0].changes(after: 0, limit: 100_000)
            #expect(try await followed.map(\.cursor) == log.map(\.cursor))
            await other.close()
            for domain in domains {
                for lane in results {
                    let own = lane[domain] ?? []
                    #expect(own == own.sorted() && Set(own).count == own.count, "\(domain): \(own)")
                }
                let all = results.flatMap { $0[domain] ?? [] }.sorted()
                #expect(all == Array(1...all.count), "\(domain): \(all)")
                #expect(try await nodes[0].block(domain: domain)?.revision == all.count)
                #expect(log.filter { $0.block.domain == domain }.map(\.block.revision) == Array(1...all.count))
            }
        }
    }
}

/// Set once, read from any task.
private final class StopFlag: Sendable {
    private let stopped = Mutex(false)

    func stop() { stopped.withLock { $0 = true } }

    var isStopped: Bool { stopped.withLock { $0 } }
}
