public import Blocklists
import Foundation
import Testing

/// What every `BlocklistReviewStore` implementation must do, besides `BlocklistStoreConformance`.
public enum BlocklistReviewStoreConformance {
    public static let checks: [ConformanceCheck<any BlocklistReviewStore>] = [
        ConformanceCheck("dismissals are kept as (domain, kind, policy), once each") {
            (store: any BlocklistReviewStore) async throws in
            #expect(try await store.dismissals().isEmpty)
            let silence = DraftDismissal(domain: "x.example", kind: .addition, policy: "silence")
            let suspend = DraftDismissal(domain: "x.example", kind: .addition, policy: "suspend")
            try await store.dismiss(silence, actor: "lead", at: Date(timeIntervalSince1970: 1_700_000_000))
            try await store.dismiss(silence, actor: "admin", at: Date(timeIntervalSince1970: 1_700_000_100))
            try await store.dismiss(suspend, actor: "lead", at: Date(timeIntervalSince1970: 1_700_000_200))
            #expect(try await store.dismissals() == [silence, suspend])
        },
        ConformanceCheck("a batch writes its blocks and its log together, and comes back as written") {
            (store: any BlocklistReviewStore) async throws in
            let old = try await store.save(DomainBlock(domain: "old.example", severity: .silence))
            let at = Date(timeIntervalSince1970: 1_700_000_000.5)
            let full = DomainBlock(
                domain: "new.example", rejectMedia: true, publicComment: "spam", reasons: [.spam], evidence: ["e"],
                revision: 4, provenance: BlockProvenance(origin: .subscription("garden"), at: at, note: "n"))
            var suspended = old
            suspended.severity = .suspend
            let batch = try await store.applyBatch(
                [
                    BlocklistChange(kind: .addition, expected: nil, after: full),
                    BlocklistChange(kind: .escalation, expected: old, after: suspended),
                ],
                actor: "lead", channel: .ui, at: at, undoing: nil)
            #expect(batch.items.map(\.before) == [nil, old])
            #expect(batch.items[0].after == full)
            #expect(batch.items[1].after.revision == 2)
            #expect(try await store.block(domain: "old.example") == batch.items[1].after)
            #expect(try await store.block(domain: "new.example") == full)
            #expect(try await store.batch(id: batch.id) == batch)
            var retracted = batch.items[1].after
            retracted.state = .retracted
            let second = try await store.applyBatch(
                [BlocklistChange(kind: nil, expected: batch.items[1].after, after: retracted)], actor: "admin",
                channel: .cli, at: at.addingTimeInterval(60), undoing: batch.id)
            #expect(second.id != batch.id)
            #expect(try await store.batches(limit: 10) == [second, batch])
            #expect(try await store.batches(limit: 1) == [second])
            #expect(try await store.batch(id: 999) == nil)
        },
        ConformanceCheck("a batch whose domain changed writes nothing and names the domain") {
            (store: any BlocklistReviewStore) async throws in
            let stale = try await store.save(DomainBlock(domain: "b.example", severity: .silence))
            try await store.save(DomainBlock(domain: "b.example", severity: .noop))
            await #expect {
                try await store.applyBatch(
                    [
                        BlocklistChange(kind: .addition, expected: nil, after: DomainBlock(domain: "a.example")),
                        BlocklistChange(kind: .escalation, expected: stale, after: DomainBlock(domain: "b.example")),
                    ],
                    actor: "lead", channel: .api, at: Date(), undoing: nil)
            } throws: { error in
                (error as? BlocklistReviewError)?.domain == "b.example"
            }
            #expect(try await store.block(domain: "a.example") == nil)
            #expect(try await store.block(domain: "b.example")?.severity == .noop)
            #expect(try await store.batches(limit: 10).isEmpty)
        },
    ]
}
