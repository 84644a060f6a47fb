public import Blocklists
import Foundation
import Testing

/// What every `BlocklistStore` implementation must do.
public enum BlocklistStoreConformance {
    public static let checks: [ConformanceCheck<any BlocklistStore>] = [
        ConformanceCheck("save replaces by domain and counts revisions; blocks are sorted by domain") {
            (store: any BlocklistStore) async throws in
            let first = try await store.save(DomainBlock(domain: "b.example", severity: .silence))
            #expect(first.revision == 1)
            let second = try await store.save(DomainBlock(domain: "b.example", severity: .suspend))
            #expect(second.revision == 2)
            try await store.save(DomainBlock(domain: "xn--bcher-kva.example"))
            try await store.save(DomainBlock(domain: "a.example"))
            #expect(try await store.blocks().map(\.domain) == ["a.example", "b.example", "xn--bcher-kva.example"])
            #expect(try await store.block(domain: "b.example")?.severity == .suspend)
            #expect(try await store.block(domain: "b.example")?.revision == 2)
            #expect(try await store.block(domain: "never.example") == nil)
        },
        ConformanceCheck("every field of an entry comes back as saved") { (store: any BlocklistStore) async throws in
            let block = DomainBlock(
                domain: "full.example", severity: .silence, rejectMedia: true, rejectReports: true,
                privateComment: "seen in case 12, \"quoted\"", publicComment: "spam; ünïcode", obfuscate: true,
                reasons: [.spam, .harassment], evidence: ["https://evidence.example/1", "sha256:ab"],
                revision: 1,
                provenance: BlockProvenance(
                    origin: .list("garden.csv"), at: Date(timeIntervalSince1970: 1_700_000_000), note: "import"))
            try await store.save(block)
            #expect(try await store.block(domain: "full.example") == block)
            let bare = DomainBlock(domain: "bare.example", severity: .noop)
            try await store.save(bare)
            #expect(try await store.block(domain: "bare.example") == bare)
        },
        ConformanceCheck("retract keeps the entry as a new revision with who retracted it") {
            (store: any BlocklistStore) async throws in
            try await store.save(DomainBlock(domain: "a.example", provenance: BlockProvenance(origin: .person("lead"))))
            let who = BlockProvenance(origin: .person("admin"), note: "appeal granted")
            let retracted = try await store.retract(domain: "a.example", provenance: who)
            #expect(retracted?.state == .retracted)
            #expect(retracted?.revision == 2)
            #expect(retracted?.provenance == who)
            #expect(try await store.block(domain: "a.example") == retracted)
            #expect(try await store.retract(domain: "a.example", provenance: who) == nil)
            #expect(try await store.retract(domain: "never.example", provenance: who) == nil)
            #expect(try await store.blocks().count == 1)
            let again = try await store.save(DomainBlock(domain: "a.example", severity: .silence))
            #expect(again.revision == 3)
            #expect(again.state == .active)
        },
        ConformanceCheck("subscriptions come back as saved, are replaced by id, and removing one drops its entries") {
            (store: any BlocklistStore) async throws in
            #expect(try await store.subscriptions().isEmpty)
            let full = BlocklistSubscription(
                id: "garden", url: "https://garden.example/herdwatch/blocklist.json", format: .mastodonCSV, token: "t0ken",
                publicKeys: [String(repeating: "A", count: 43) + "="], weight: 2.5, severityCap: .silence,
                trustedReasons: [.spam, .csam], priority: 3, autoApply: [.addition, .downgrade], enabled: false,
                interval: 900, createdAt: Date(timeIntervalSince1970: 1_700_000_000))
            let bare = BlocklistSubscription(
                id: "alpha", url: "http://127.0.0.1:8080/list.txt", createdAt: Date(timeIntervalSince1970: 1_700_000_100))
            try await store.saveSubscription(full)
            try await store.saveSubscription(bare)
            #expect(try await store.subscriptions() == [bare, full])
            #expect(try await store.subscription(id: "garden") == full)
            var changed = full
            changed.weight = 1
            changed.trustedReasons = nil
            try await store.saveSubscription(changed)
            #expect(try await store.subscription(id: "garden") == changed)
            try await store.saveSubscriptionEntries(id: "garden", [DomainBlock(domain: "g.example")])
            #expect(try await store.removeSubscription(id: "garden"))
            #expect(try await store.subscription(id: "garden") == nil)
            #expect(try await store.subscriptionEntries(id: "garden").isEmpty)
            #expect(try await !store.removeSubscription(id: "garden"))
            #expect(try await store.subscriptions() == [bare])
        },
        ConformanceCheck("subscription entries are kept per subscription and replaced whole") {
            (store: any BlocklistStore) async throws in
            #expect(try await store.subscriptionEntries(id: "peers").isEmpty)
            let from = BlockProvenance(origin: .subscription("peers"))
            try await store.saveSubscriptionEntries(
                id: "peers",
                [
                    DomainBlock(domain: "q.example", provenance: from),
                    DomainBlock(domain: "p.example", severity: .silence),
                ])
            let carried = try await store.subscriptionEntries(id: "peers")
            #expect(carried.map(\.domain).sorted() == ["p.example", "q.example"])
            #expect(carried.first { $0.domain == "q.example" }?.provenance == from)
            #expect(try await store.subscriptionEntries(id: "others").isEmpty)
            try await store.saveSubscriptionEntries(id: "peers", [DomainBlock(domain: "r.example")])
            #expect(try await store.subscriptionEntries(id: "peers").map(\.domain) == ["r.example"])
            #expect(try await store.blocks().isEmpty)
        },
    ]
}
