import Testing

@testable import Blocklists

@Suite struct MergeTests {
    func source(_ id: String, _ entries: [DomainBlock], weight: Double = 1, subscription: Bool = true)
        -> BlocklistSource
    {
        BlocklistSource(id: id, entries: entries, weight: weight, isSubscription: subscription)
    }

    @Test func maxPlanTakesStrictestSeverityAnyFlagAndMergesCommentTokens() {
        let merged = BlocklistMerge.merge(
            [
                source(
                    "a",
                    [
                        DomainBlock(
                            domain: "x.example", severity: .silence, rejectMedia: true,
                            publicComment: "boring, lack of moderation, nazis, scrapers")
                    ]),
                source(
                    "b",
                    [
                        DomainBlock(
                            domain: "x.example", severity: .suspend, rejectReports: true,
                            publicComment: "lack of moderation, scrapers", obfuscate: true)
                    ]),
            ], plan: MergePlan(severity: .max))
        #expect(merged.count == 1)
        let block = merged[0].block
        #expect(block.severity == .suspend)
        #expect(block.rejectMedia && block.rejectReports && block.obfuscate)
        #expect(block.publicComment == "boring, lack of moderation, nazis, scrapers")
        #expect(merged[0].supporters == ["a", "b"])
    }

    @Test func minPlanTakesMildestSeverityAndAnyClearedFlag() {
        let merged = BlocklistMerge.merge(
            [
                source(
                    "a", [DomainBlock(domain: "x.example", severity: .suspend, rejectMedia: true, rejectReports: true)]),
                source("b", [DomainBlock(domain: "x.example", severity: .silence, rejectMedia: true)]),
            ], plan: MergePlan(severity: .min))
        #expect(merged[0].block.severity == .silence)
        #expect(merged[0].block.rejectMedia)
        #expect(!merged[0].block.rejectReports)
    }

    @Test(arguments: [
        ("spam, bots", "bots, ads", "spam, bots, ads"),
        ("", "ads", "ads"),
        ("ads", "", "ads"),
        ("same", "same", "same"),
        ("a, , b", "b, c", "a, b, c"),
        ("a,b, c", "c, a,b, ", "a,b, c"),
        ("x, x", "x, y, x", "x, x, y"),
        (", lead", "trail, ", "lead, trail"),
    ])
    func commentsMergeAsFediBlockHoleDoes(old: String, new: String, expected: String) {
        #expect(BlocklistMerge.mergeComments(old, new) == expected)
    }

    let threeLists: [BlocklistSource] = [
        BlocklistSource(
            id: "a",
            entries: [
                DomainBlock(domain: "all.example"), DomainBlock(domain: "two.example"),
                DomainBlock(domain: "one.example"),
            ], weight: 3),
        BlocklistSource(id: "b", entries: [DomainBlock(domain: "all.example"), DomainBlock(domain: "two.example")]),
        BlocklistSource(id: "c", entries: [DomainBlock(domain: "all.example")]),
    ]

    @Test(arguments: [
        (MergePlan.Threshold.count(0), ["all.example", "one.example", "two.example"]),
        (.count(2), ["all.example", "two.example"]),
        (.count(3), ["all.example"]),
        (.percent(66), ["all.example", "two.example"]),
        (.percent(67), ["all.example"]),
        (.weight(3), ["all.example", "one.example", "two.example"]),
        (.weight(4.5), ["all.example"]),
        (.weightedPercent(60), ["all.example", "one.example", "two.example"]),
        (.weightedPercent(81), ["all.example"]),
    ])
    func thresholds(threshold: MergePlan.Threshold, expected: [String]) {
        #expect(BlocklistMerge.merge(threeLists, plan: MergePlan(threshold: threshold)).map(\.domain) == expected)
    }

    @Test func severityCapAndTrustedReasonsApplyPerSource() {
        let merged = BlocklistMerge.merge(
            [
                BlocklistSource(
                    id: "capped", entries: [DomainBlock(domain: "x.example", severity: .suspend)],
                    severityCap: .silence),
                BlocklistSource(
                    id: "spam-only",
                    entries: [
                        DomainBlock(domain: "spam.example", reasons: [.spam]),
                        DomainBlock(domain: "opinion.example", reasons: [.misinformation]),
                        DomainBlock(domain: "unlabelled.example"),
                    ], trustedReasons: [.spam, .csam]),
            ], plan: MergePlan())
        #expect(merged.map(\.domain) == ["spam.example", "x.example"])
        #expect(merged[1].block.severity == .silence)
    }

    @Test func allowlistIsExactAndExcludesCoverSubdomains() throws {
        let plan = MergePlan(
            allowlist: ["ok.example"], policy: try DomainPolicy(ownDomain: "us.example", excludes: ["friend.example"]))
        let merged = BlocklistMerge.merge(
            [
                source(
                    "a",
                    [
                        "ok.example", "sub.ok.example", "friend.example", "a.friend.example", "us.example",
                        "bad.example",
                    ].map { DomainBlock(domain: $0) })
            ], plan: plan)
        #expect(merged.map(\.domain) == ["bad.example", "sub.ok.example"])
    }

    @Test func ourOwnEntriesPassAnyThresholdAndAreNotMarkedAsSubscribed() {
        let mine = BlockProvenance(origin: .person("admin"))
        let merged = BlocklistMerge.merge(
            [
                source(
                    "peer",
                    [DomainBlock(domain: "both.example", severity: .silence), DomainBlock(domain: "peer.example")]),
                source(
                    "local",
                    [
                        DomainBlock(domain: "mine.example", provenance: mine),
                        DomainBlock(domain: "both.example", provenance: mine),
                    ], subscription: false),
            ], plan: MergePlan(threshold: .count(2)))
        #expect(merged.map(\.domain) == ["both.example", "mine.example"])
        #expect(merged.map(\.fromSubscription) == [false, false])
        #expect(merged.allSatisfy { $0.block.provenance == mine })
        let onlyPeers = BlocklistMerge.merge([source("p1", [DomainBlock(domain: "p.example")])], plan: MergePlan())
        #expect(onlyPeers[0].fromSubscription)
        #expect(onlyPeers[0].block.provenance?.origin == .subscription("p1"))
    }

    @Test func aRetractionWithdrawsOnlyItsOwnSupport() {
        let retracted = DomainBlock(domain: "x.example", state: .retracted)
        let stays = BlocklistMerge.merge(
            [
                source("a", [retracted]), source("b", [DomainBlock(domain: "x.example")]),
            ], plan: MergePlan())
        #expect(stays.map(\.supporters) == [["b"]])
        let gone = BlocklistMerge.merge([source("a", [retracted]), source("b", [retracted])], plan: MergePlan())
        #expect(gone.isEmpty)
    }
}

@Suite struct DiffTests {
    let subscribed = BlockProvenance(origin: .subscription("peers"))
    let ours = BlockProvenance(origin: .person("admin"))

    func merged(_ block: DomainBlock, supporters: [String] = ["peers"]) -> MergedBlock {
        MergedBlock(block: block, supporters: supporters, weight: 1, fromSubscription: true)
    }

    @Test func changesAreGroupedByKind() {
        let applied = [
            DomainBlock(domain: "up.example", severity: .silence, provenance: subscribed),
            DomainBlock(domain: "flag.example", severity: .silence, provenance: subscribed),
            DomainBlock(domain: "down.example", severity: .suspend, provenance: subscribed),
            DomainBlock(domain: "gone.example", severity: .suspend, provenance: subscribed),
            DomainBlock(domain: "same.example", severity: .suspend, publicComment: "old", provenance: subscribed),
        ]
        let result = [
            merged(DomainBlock(domain: "new.example", severity: .silence)),
            merged(DomainBlock(domain: "up.example", severity: .suspend)),
            merged(DomainBlock(domain: "flag.example", severity: .silence, rejectMedia: true)),
            merged(DomainBlock(domain: "down.example", severity: .silence, rejectMedia: true)),
            merged(DomainBlock(domain: "same.example", severity: .suspend, publicComment: "new")),
            merged(DomainBlock(domain: "soft.example", severity: .noop)),
        ]
        let diff = BlocklistDiff(applied: applied, merged: result)
        #expect(diff.additions.map(\.domain) == ["new.example"])
        #expect(diff.escalations.map(\.domain) == ["flag.example", "up.example"])
        #expect(diff.downgrades.map(\.domain) == ["down.example"])
        #expect(diff.retractions.map(\.domain) == ["gone.example"])
        #expect(diff.retractions[0].proposed == nil && diff.retractions[0].applied?.domain == "gone.example")
        #expect(diff.additions[0].supporters == ["peers"])
        #expect(diff.all.count == 5)
    }

    @Test func ourOwnBlocksAreNeverRetractedOrDowngradedByAMerge() {
        let applied = [
            DomainBlock(domain: "mine.example", severity: .suspend, provenance: ours),
            DomainBlock(domain: "manual.example", severity: .suspend),
            DomainBlock(domain: "milder.example", severity: .suspend, provenance: ours),
            DomainBlock(domain: "raise.example", severity: .silence, provenance: ours),
        ]
        let diff = BlocklistDiff(
            applied: applied,
            merged: [
                merged(DomainBlock(domain: "milder.example", severity: .silence)),
                merged(DomainBlock(domain: "raise.example", severity: .suspend)),
            ])
        #expect(diff.retractions.isEmpty)
        #expect(diff.downgrades.isEmpty)
        #expect(diff.escalations.map(\.domain) == ["raise.example"])
    }

    @Test func identicalListsGiveNoDrafts() {
        let applied = [DomainBlock(domain: "a.example", severity: .silence, provenance: subscribed)]
        #expect(BlocklistDiff(applied: applied, merged: [merged(applied[0])]).isEmpty)
    }

    @Test func mergeThenDiffEndToEnd() {
        let applied = [
            DomainBlock(domain: "kept.example", provenance: subscribed),
            DomainBlock(domain: "dropped.example", provenance: subscribed),
        ]
        let sources = [
            BlocklistSource(
                id: "a",
                entries: [
                    DomainBlock(domain: "kept.example"),
                    DomainBlock(domain: "dropped.example", state: .retracted),
                ]),
            BlocklistSource(
                id: "b",
                entries: [
                    DomainBlock(domain: "kept.example", state: .retracted),
                    DomainBlock(domain: "added.example"),
                ]),
        ]
        let diff = BlocklistDiff(applied: applied, merged: BlocklistMerge.merge(sources, plan: MergePlan()))
        #expect(diff.additions.map(\.domain) == ["added.example"])
        #expect(diff.retractions.map(\.domain) == ["dropped.example"])
        #expect(diff.escalations.isEmpty && diff.downgrades.isEmpty)
    }
}
