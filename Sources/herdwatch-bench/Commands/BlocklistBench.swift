import ArgumentParser
import Blocklists
import Foundation
import Harness

/// `herdwatch-bench blocklist`: the blocklist lookup on the hot path, merging subscribed lists and the draft diff.
struct BlocklistBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blocklist",
        abstract: "Time the blocklist lookup, the merge of subscribed lists and the draft diff.",
        discussion: """
            Generates lists of realistic domains (deterministic), then times:
              (a) BlockIndex lookups        --index-size entries; hosts that are blocked, subdomains of
                                            blocked domains and unblocked hosts, in equal parts
              (b) merge + diff              --lists lists of --entries entries, overlapping, with weights,
                                            severity caps, a weighted threshold, an allowlist and excludes,
                                            diffed against an applied list that differs from the result
              (c) import                    one list of --entries entries as Mastodon CSV
            Targets (issue 20): (a) under 1 µs per lookup, (b) under 2 s.
            Build with -c release; see Benchmarks/README.md.
            Exit status: 0 after measuring (targets met or not), 2 on usage errors.
            """)

    @Option(help: "Entries in the lookup index.")
    var indexSize = 100_000

    @Option(help: "Lookups timed in each pass of (a).")
    var lookups = 2_000_000

    @Option(help: "Subscribed lists merged in (b).")
    var lists = 10

    @Option(help: "Entries in each list of (b) and (c).")
    var entries = 50_000

    @Option(help: "Timed passes of each measurement; the median is reported.")
    var passes = 5

    @Option(help: "Output format: text (a table) or json.")
    var format: OutputFormat = .text

    func validate() throws {
        guard indexSize >= 100, lookups >= 1000 else {
            throw ValidationError("--index-size must be at least 100 and --lookups at least 1000")
        }
        guard lists >= 2, entries >= 100 else { throw ValidationError("--lists must be at least 2, --entries 100") }
        guard passes >= 1 else { throw ValidationError("--passes must be at least 1") }
    }

    func run() throws {
        var random = SplitMix64(seed: 20)
        let clock = ContinuousClock()

        // (a) lookups
        let indexed = (0..<indexSize).map { Self.block(number: $0, random: &random) }
        var start = clock.now
        let index = BlockIndex(indexed)
        let buildSeconds = Self.seconds(start.duration(to: clock.now))
        var hosts: [String] = []
        for number in 0..<65_536 {
            let entry = indexed[Int(random.next() % UInt64(indexSize))].domain
            switch number % 3 {
            case 0: hosts.append(entry)
            case 1: hosts.append("media.cdn." + entry)
            default: hosts.append("www.unlisted\(random.next() % 1_000_000).example-\(number % 50).net")
            }
        }
        var hits = 0
        var lookupSamples: [Double] = []
        for _ in 0..<passes {
            start = clock.now
            for number in 0..<lookups where index.entryIndex(covering: hosts[number & 65_535]) != nil {
                hits += 1
            }
            lookupSamples.append(Self.seconds(start.duration(to: clock.now)) / Double(lookups) * 1e9)
        }
        let expectedHits = passes * (0..<lookups).count { (($0 & 65_535) % 3) != 2 }
        guard hits == expectedHits else {
            throw fail("lookups found \(hits) blocked hosts, expected \(expectedHits)")
        }

        // (b) merge + diff
        let pool = lists * entries * 2 / 3
        let sources = (0..<lists).map { list in
            var seen = Set<Int>()
            var chosen: [DomainBlock] = []
            while chosen.count < entries {
                let number = Int(random.next() % UInt64(pool))
                guard seen.insert(number).inserted else { continue }
                var block = Self.block(number: number, random: &random)
                if random.next() % 50 == 0 { block.state = .retracted }
                chosen.append(block)
            }
            return BlocklistSource(
                id: "peer-\(list)", entries: chosen, weight: Double(1 + list % 3),
                severityCap: list % 4 == 3 ? .silence : .suspend,
                trustedReasons: list == 5 ? [.spam, .csam, .harassment] : nil)
        }
        let policy = try DomainPolicy(
            ownDomain: "herdwatch.example",
            excludes: (0..<10).map { Self.block(number: $0 * 97, random: &random).domain })
        let allowlist = Set((0..<100).map { Self.block(number: $0 * 31, random: &random).domain })
        let plan = MergePlan(severity: .max, threshold: .weightedPercent(20), allowlist: allowlist, policy: policy)
        // Yesterday's result: without the last list, the caps, and at a lower threshold.
        let uncapped = sources.dropLast().map { source in
            var source = source
            source.severityCap = .suspend
            return source
        }
        let previous = BlocklistMerge.merge(uncapped, plan: MergePlan(threshold: .count(2), policy: policy))
        let subscribed = BlockProvenance(origin: .subscription("peer-0"))
        let applied = previous.map { item in
            var block = item.block
            block.provenance = subscribed
            return block
        }
        var mergeSamples: [Double] = []
        var merged: [MergedBlock] = []
        var diff = BlocklistDiff(applied: [], merged: [])
        for _ in 0..<passes {
            start = clock.now
            merged = BlocklistMerge.merge(sources, plan: plan)
            diff = BlocklistDiff(applied: applied, merged: merged)
            mergeSamples.append(Self.seconds(start.duration(to: clock.now)))
        }

        // (c) import
        let csv = BlocklistExport.render(sources[0].entries, as: .mastodonCSV)
        var importSamples: [Double] = []
        var imported = 0
        for _ in 0..<passes {
            start = clock.now
            imported = try BlocklistImport(parsing: csv, format: .mastodonCSV).entries.count
            importSamples.append(Self.seconds(start.duration(to: clock.now)))
        }

        let lookupNanoseconds = Self.median(lookupSamples)
        let mergeSeconds = Self.median(mergeSamples)
        let report = BlocklistBenchReport(
            date: ISO8601DateFormatter().string(from: Date()),
            indexSize: index.count, indexBuildSeconds: buildSeconds, lookupsPerPass: lookups,
            lookupNanoseconds: lookupNanoseconds,
            lists: lists, entriesPerList: entries, mergedEntries: merged.count, appliedEntries: applied.count,
            additions: diff.additions.count, escalations: diff.escalations.count,
            downgrades: diff.downgrades.count, retractions: diff.retractions.count,
            mergeAndDiffSeconds: mergeSeconds,
            importedEntries: imported, importSeconds: Self.median(importSamples),
            lookupTargetMet: lookupNanoseconds < 1000, mergeTargetMet: mergeSeconds < 2)
        try format.print(report)
    }

    private static let tlds = ["social", "net", "org", "com", "online", "xyz", "co.uk", "de", "fr", "club"]
    private static let words = ["mastodon", "fedi", "spam", "toot", "kitty", "free", "bots", "news", "chat", "party"]

    /// A deterministic, realistic-looking block for `number`: the same domain for the same number.
    private static func block(number: Int, random: inout SplitMix64) -> DomainBlock {
        let word = words[number % words.count]
        let domain = "\(word)\(number).\(number % 3 == 0 ? "instance." : "")\(tlds[(number / 7) % tlds.count])"
        let severity: BlockSeverity = [.suspend, .suspend, .silence, .noop][Int(random.next() % 4)]
        return DomainBlock(
            domain: domain, severity: severity, rejectMedia: random.next() % 3 == 0,
            rejectReports: random.next() % 5 == 0,
            publicComment: ["spam", "harassment, no moderation", "", "hate speech"][Int(random.next() % 4)],
            reasons: [[.spam], [.harassment], [], [.hate]][Int(random.next() % 4)])
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private static func median(_ samples: [Double]) -> Double {
        samples.sorted()[samples.count / 2]
    }
}

/// What `herdwatch-bench blocklist` measured.
struct BlocklistBenchReport: Encodable, TextReport {
    var date: String
    var indexSize: Int
    var indexBuildSeconds: Double
    var lookupsPerPass: Int
    var lookupNanoseconds: Double
    var lists: Int
    var entriesPerList: Int
    var mergedEntries: Int
    var appliedEntries: Int
    var additions: Int
    var escalations: Int
    var downgrades: Int
    var retractions: Int
    var mergeAndDiffSeconds: Double
    var importedEntries: Int
    var importSeconds: Double
    var lookupTargetMet: Bool
    var mergeTargetMet: Bool

    var text: String {
        func decimal(_ value: Double, _ places: Int) -> String { String(format: "%.\(places)f", value) }
        return [
            "herdwatch-bench blocklist  \(date)",
            "(a) lookup: \(indexSize) entries (index built in \(decimal(indexBuildSeconds * 1000, 1)) ms), "
                + "\(lookupsPerPass) lookups per pass: \(decimal(lookupNanoseconds, 1)) ns per lookup (median)",
            "(b) merge + diff: \(lists) lists × \(entriesPerList) entries → \(mergedEntries) merged; against "
                + "\(appliedEntries) applied: \(additions) additions, \(escalations) escalations, \(downgrades) "
                + "downgrades, \(retractions) retractions: \(decimal(mergeAndDiffSeconds, 3)) s (median)",
            "(c) import: \(importedEntries) entries of Mastodon CSV: \(decimal(importSeconds, 3)) s (median)",
            "",
            "targets:",
            "  lookup under 1 µs            \(lookupTargetMet ? "PASS" : "MISS")",
            "  merge + diff under 2 s       \(mergeTargetMet ? "PASS" : "MISS")",
        ].joined(separator: "\n")
    }
}
