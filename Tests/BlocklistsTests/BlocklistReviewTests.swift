import Blocklists
import Foundation
import Synchronization
import Testing

@Suite("Blocklist review")
struct BlocklistReviewTests {
    private static func subscription(_ id: String, autoApply: Set<BlocklistDraft.Kind> = []) -> BlocklistSubscription {
        BlocklistSubscription(id: id, url: "https://\(id).example/list.csv", autoApply: autoApply)
    }

    private static func subscribed(_ id: String) -> BlockProvenance {
        BlockProvenance(origin: .subscription(id))
    }

    /// A store with subscriptions `a` and `b` carrying `entries`.
    private static func store(
        applied: [DomainBlock] = [], a: [DomainBlock] = [], b: [DomainBlock] = [],
        autoApply: Set<BlocklistDraft.Kind> = []
    ) async throws -> InMemoryBlocklistStore {
        let store = InMemoryBlocklistStore(applied)
        try await store.saveSubscription(subscription("a", autoApply: autoApply))
        try await store.saveSubscription(subscription("b"))
        try await store.saveSubscriptionEntries(id: "a", a)
        try await store.saveSubscriptionEntries(id: "b", b)
        return store
    }

    @Test func draftsAreGroupedWithProvenanceAndThreshold() async throws {
        let store = try await Self.store(
            applied: [
                DomainBlock(domain: "own.example", severity: .silence, provenance: .init(origin: .person("lead"))),
                DomainBlock(domain: "mild.example", severity: .suspend, provenance: Self.subscribed("a")),
            ],
            a: [
                DomainBlock(domain: "new.example", publicComment: "spam <script>"),
                DomainBlock(domain: "own.example", severity: .suspend),
                DomainBlock(domain: "mild.example", severity: .silence),
                DomainBlock(domain: "lonely.example"),
            ],
            b: [
                DomainBlock(domain: "new.example", severity: .silence, privateComment: "case 4"),
                DomainBlock(domain: "own.example", severity: .suspend),
                DomainBlock(domain: "mild.example", severity: .silence),
            ])
        let review = BlocklistReview(
            store: store, settings: BlocklistReviewSettings(plan: MergePlan(threshold: .count(2))))
        let drafts = try await review.drafts()
        #expect(drafts.additions.map(\.domain) == ["new.example"])
        #expect(drafts.additions.first?.draft.proposed?.severity == .suspend)
        #expect(
            drafts.additions.first?.support == [
                .init(subscription: "a", severity: .suspend, publicComment: "spam <script>", privateComment: ""),
                .init(subscription: "b", severity: .silence, publicComment: "", privateComment: "case 4"),
            ])
        #expect(drafts.escalations.map(\.domain) == ["own.example"])
        // Our own block, escalated, stays ours.
        #expect(drafts.escalations.first?.draft.proposed?.provenance?.origin == .person("lead"))
        #expect(drafts.downgrades.map(\.domain) == ["mild.example"])
        // One source is below the threshold of two.
        #expect(!drafts.all.contains { $0.domain == "lonely.example" })
        #expect(drafts.retractions.isEmpty)
    }

    @Test func aSubscriptionRetractsOnlyWhatItOwnsAndBlocksStayWhileSupported() async throws {
        let store = try await Self.store(
            applied: [
                DomainBlock(domain: "own.example", provenance: .init(origin: .person("lead"))),
                DomainBlock(domain: "shared.example", provenance: Self.subscribed("a")),
                DomainBlock(domain: "gone.example", provenance: Self.subscribed("a")),
            ] + (1...10).map { DomainBlock(domain: "keep\($0).example", provenance: Self.subscribed("a")) },
            a: (1...10).map { DomainBlock(domain: "keep\($0).example") },
            b: [DomainBlock(domain: "shared.example")])
        let drafts = try await BlocklistReview(store: store).drafts()
        #expect(drafts.retractions.map(\.domain) == ["gone.example"])
        #expect(drafts.retractions.first?.owner == "a")
        #expect(drafts.retractions.first?.isHeld == false)
        #expect(drafts.additions.isEmpty && drafts.escalations.isEmpty && drafts.downgrades.isEmpty)
    }

    @Test func dismissalsAreRememberedUntilTheProposalChanges() async throws {
        let store = try await Self.store(a: [DomainBlock(domain: "x.example", severity: .silence)])
        let review = BlocklistReview(store: store)
        let dismissed = try await review.dismiss(domain: "x.example", actor: "lead")
        #expect(dismissed == DraftDismissal(domain: "x.example", kind: .addition, policy: "silence"))
        #expect(try await review.drafts().isEmpty)
        try await store.saveSubscriptionEntries(id: "a", [DomainBlock(domain: "x.example", severity: .silence)])
        #expect(try await review.drafts().isEmpty)
        try await store.saveSubscriptionEntries(id: "a", [DomainBlock(domain: "x.example", severity: .suspend)])
        #expect(try await review.drafts().additions.map(\.domain) == ["x.example"])
        await #expect(throws: BlocklistReviewError.self) {
            try await review.dismiss(domain: "none.example", actor: "lead")
        }
    }

    @Test func applyWritesOneBatchAndUndoRestoresTheBeforeState() async throws {
        let store = try await Self.store(
            applied: [DomainBlock(domain: "mild.example", severity: .silence, provenance: Self.subscribed("a"))],
            a: [DomainBlock(domain: "new.example"), DomainBlock(domain: "mild.example", severity: .suspend)])
        let refreshes = Mutex(0)
        let review = BlocklistReview(store: store, applied: { refreshes.withLock { $0 += 1 } })
        let batch = try await review.apply(.all, actor: "lead", channel: .ui)
        #expect(batch.actor == "lead" && batch.channel == .ui && batch.undoes == nil)
        #expect(batch.items.map(\.domain) == ["new.example", "mild.example"])
        #expect(batch.items[0].before == nil && batch.items[0].kind == .addition)
        #expect(batch.items[1].before?.severity == .silence && batch.items[1].after.severity == .suspend)
        #expect(try await store.block(domain: "new.example")?.provenance?.origin == .subscription("a"))
        #expect(try await store.block(domain: "mild.example")?.severity == .suspend)
        #expect(refreshes.withLock { $0 } == 1)
        #expect(try await review.drafts().isEmpty)

        let undo = try await review.undo(batch: batch.id, actor: "admin", channel: .cli)
        #expect(undo.undoes == batch.id)
        #expect(try await store.block(domain: "new.example")?.state == .retracted)
        #expect(try await store.block(domain: "mild.example")?.severity == .silence)
        #expect(try await store.batches(limit: 10).map(\.id) == [undo.id, batch.id])
        #expect(refreshes.withLock { $0 } == 2)
        // Undoing again finds the entries changed by the undo.
        await #expect {
            try await review.undo(batch: batch.id, actor: "admin", channel: .cli)
        } throws: { error in
            (error as? BlocklistReviewError)?.domain == "new.example"
        }
    }

    @Test func undoRefusesNamingTheDomainThatChangedSince() async throws {
        let store = try await Self.store(a: [DomainBlock(domain: "a.example"), DomainBlock(domain: "b.example")])
        let review = BlocklistReview(store: store)
        let batch = try await review.apply(.domains(["a.example", "b.example"]), actor: "lead", channel: .api)
        try await store.save(DomainBlock(domain: "b.example", severity: .silence))
        await #expect {
            try await review.undo(batch: batch.id, actor: "lead", channel: .api)
        } throws: { error in
            let error = error as? BlocklistReviewError
            return error?.code == .changed && error?.domain == "b.example"
                && error?.message.contains("b.example") == true
        }
        #expect(try await store.block(domain: "a.example")?.state == .active)
    }

    @Test func applySelectsByDomainOrGroupAndRefusesUnknownDomains() async throws {
        let store = try await Self.store(
            applied: [DomainBlock(domain: "up.example", severity: .silence, provenance: Self.subscribed("a"))],
            a: [DomainBlock(domain: "a.example"), DomainBlock(domain: "up.example")])
        let review = BlocklistReview(store: store)
        await #expect(throws: BlocklistReviewError.self) {
            try await review.apply(.domains(["a.example", "nope.example"]), actor: "lead", channel: .api)
        }
        #expect(try await store.block(domain: "a.example") == nil)
        let batch = try await review.apply(.groups([.escalation]), actor: "lead", channel: .api)
        #expect(batch.items.map(\.domain) == ["up.example"])
        #expect(try await review.drafts().all.map(\.domain) == ["a.example"])
        // Named as a person types it, twice: one change.
        let typed = try await review.apply(.domains(["A.Example", "a.example"]), actor: "lead", channel: .api)
        #expect(typed.items.map(\.domain) == ["a.example"])
    }

    @Test func massRetractionsAreHeldUntilConfirmed() async throws {
        let owned = (1...10).map { DomainBlock(domain: "d\($0).example", provenance: Self.subscribed("a")) }
        // `a` now carries 7 of its 10: three retractions, 30 % > 20 %.
        let store = try await Self.store(applied: owned, a: Array(owned.prefix(7)))
        let review = BlocklistReview(store: store)
        let drafts = try await review.drafts()
        #expect(drafts.held.map(\.domain) == ["d10.example", "d8.example", "d9.example"])
        await #expect {
            try await review.apply(.all, actor: "lead", channel: .ui)
        } throws: { error in
            (error as? BlocklistReviewError)?.code == .unconfirmedMassRetraction
        }
        #expect(try await store.block(domain: "d8.example")?.state == .active)
        let batch = try await review.apply(.all, confirmMassRetraction: true, actor: "lead", channel: .ui)
        #expect(batch.items.count == 3)
        #expect(try await store.block(domain: "d8.example")?.state == .retracted)

        // Two of ten (20 %) is not more than the share.
        let small = try await Self.store(applied: owned, a: Array(owned.prefix(8)))
        #expect(try await BlocklistReview(store: small).drafts().held.isEmpty)
    }

    @Test func autoApplyOnlyListedKindsNeverNewSuspensionsOrRetractions() async throws {
        let store = try await Self.store(
            applied: [
                DomainBlock(domain: "up.example", severity: .noop, provenance: Self.subscribed("a")),
                DomainBlock(domain: "gone.example", provenance: Self.subscribed("a")),
                DomainBlock(domain: "down.example", severity: .suspend, provenance: Self.subscribed("a")),
            ] + (1...10).map { DomainBlock(domain: "k\($0).example", provenance: Self.subscribed("a")) },
            a: [
                DomainBlock(domain: "silence.example", severity: .silence),
                DomainBlock(domain: "suspend.example", severity: .suspend),
                DomainBlock(domain: "up.example", severity: .suspend),
                DomainBlock(domain: "down.example", severity: .silence),
            ] + (1...10).map { DomainBlock(domain: "k\($0).example") },
            autoApply: [.addition, .escalation, .retraction])
        let review = BlocklistReview(store: store)
        await review.subscriptionUpdated("a")
        let batch = try #require(try await store.batches(limit: 1).first)
        #expect(batch.actor == "subscription:a" && batch.channel == .auto)
        #expect(batch.items.map(\.domain) == ["silence.example"])
        let left = try await review.drafts()
        #expect(left.additions.map(\.domain) == ["suspend.example"])
        #expect(left.escalations.map(\.domain) == ["up.example"])
        #expect(left.downgrades.map(\.domain) == ["down.example"])
        #expect(left.retractions.map(\.domain) == ["gone.example"])
        // `b` has no rule.
        #expect(try await review.autoApply(subscription: "b") == nil)
    }

    @Test func impactComesFromTheInjectedSource() async throws {
        struct Seen: DomainImpactSource {
            func impact(of domains: [String]) async throws -> [String: DomainImpact] {
                ["x.example": DomainImpact(actors: 3, heldCases: 2, flaggedCases: 1)]
            }
        }
        let store = try await Self.store(a: [DomainBlock(domain: "x.example"), DomainBlock(domain: "y.example")])
        let drafts = try await BlocklistReview(store: store, impact: Seen()).drafts()
        #expect(
            drafts.additions.map(\.impact) == [DomainImpact(actors: 3, heldCases: 2, flaggedCases: 1), DomainImpact()])
    }
}
