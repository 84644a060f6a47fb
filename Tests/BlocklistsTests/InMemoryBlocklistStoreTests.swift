import Testing

@testable import Blocklists

@Suite struct InMemoryBlocklistStoreTests {
    @Test func saveReplacesByDomainAndCountsRevisions() async throws {
        let store = InMemoryBlocklistStore()
        let first = try await store.save(DomainBlock(domain: "b.example", severity: .silence))
        #expect(first.revision == 1)
        let second = try await store.save(DomainBlock(domain: "b.example", severity: .suspend))
        #expect(second.revision == 2)
        try await store.save(DomainBlock(domain: "a.example"))
        #expect(try await store.blocks().map(\.domain) == ["a.example", "b.example"])
        #expect(try await store.block(domain: "b.example")?.severity == .suspend)
    }

    @Test func retractKeepsTheEntryAsANewRevision() async throws {
        let store = InMemoryBlocklistStore([DomainBlock(domain: "a.example")])
        let who = BlockProvenance(origin: .person("admin"), note: "appeal granted")
        let retracted = try await store.retract(domain: "a.example", provenance: who)
        #expect(retracted?.state == .retracted)
        #expect(retracted?.revision == 2)
        #expect(retracted?.provenance == who)
        #expect(try await store.retract(domain: "a.example", provenance: who) == nil)
        #expect(try await store.retract(domain: "never.example", provenance: who) == nil)
        #expect(try await store.blocks().count == 1)
    }

    @Test func subscriptionEntriesAreKeptPerSubscription() async throws {
        let store = InMemoryBlocklistStore()
        #expect(try await store.subscriptionEntries(id: "peers").isEmpty)
        try await store.saveSubscriptionEntries(id: "peers", [DomainBlock(domain: "p.example")])
        #expect(try await store.subscriptionEntries(id: "peers").map(\.domain) == ["p.example"])
        #expect(try await store.subscriptionEntries(id: "others").isEmpty)
    }
}
