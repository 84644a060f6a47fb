public import Blocklists
import Testing

/// What every store that applies imported lists must do (SQLite and PostgreSQL; `herdwatch blocklist import`).
public enum BlocklistImportStoreConformance {
    public static let checks: [ConformanceCheck<any BlocklistImportStore>] = [
        ConformanceCheck("apply adds, changes and leaves alone, keeping the comments the list does not bring") {
            (store: any BlocklistImportStore) async throws in
            try await store.save(DomainBlock(domain: "a.example", severity: .silence, privateComment: "case 7"))
            try await store.save(DomainBlock(domain: "same.example", publicComment: "spam"))
            try await store.save(DomainBlock(domain: "quiet.example", severity: .silence, publicComment: "rude"))
            let outcome = try await store.apply([
                DomainBlock(domain: "a.example", severity: .suspend),
                DomainBlock(domain: "same.example", publicComment: "spam"),
                DomainBlock(domain: "new.example", severity: .noop),
                // A plain-text list brings no comment: the stored one stays, and nothing else differs.
                DomainBlock(domain: "quiet.example", severity: .silence),
            ])
            #expect(outcome == BlocklistImportOutcome(added: 1, changed: 1, unchanged: 2))
            let a = try await store.block(domain: "a.example")
            #expect(a?.severity == .suspend)
            #expect(a?.privateComment == "case 7")
            #expect(a?.revision == 2)
            #expect(try await store.block(domain: "same.example")?.revision == 1)
            #expect(try await store.block(domain: "quiet.example")?.publicComment == "rude")
            #expect(try await store.block(domain: "new.example")?.revision == 1)
            #expect(
                try await store.blocks().map(\.domain) == ["a.example", "new.example", "quiet.example", "same.example"])
        },
        ConformanceCheck("a retracted entry the list names again is made active, as a new revision") {
            (store: any BlocklistImportStore) async throws in
            try await store.save(DomainBlock(domain: "back.example", severity: .suspend))
            try await store.retract(domain: "back.example", provenance: BlockProvenance(origin: .person("admin")))
            let outcome = try await store.apply([DomainBlock(domain: "back.example", severity: .suspend)])
            #expect(outcome == BlocklistImportOutcome(changed: 1))
            let back = try await store.block(domain: "back.example")
            #expect(back?.state == .active)
            #expect(back?.revision == 3)
        },
    ]
}
