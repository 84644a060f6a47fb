public import Foundation

/// Review of the applied list against the subscriptions: computes drafts, applies chosen ones as one audited batch,
/// remembers dismissals, undoes batches, and auto-applies what a subscription's `autoApply` allows after it is
/// fetched. After every write it calls `applied` (the server refreshes the gate's `AppliedBlocklist`).
public struct BlocklistReview: Sendable {
    /// Which drafts to apply.
    public enum Selection: Sendable, Hashable {
        case all
        /// Every draft of these groups.
        case groups(Set<BlocklistDraft.Kind>)
        /// The drafts for these domains (normalised); each must have one.
        case domains([String])
    }

    public let store: any BlocklistReviewStore
    public let settings: BlocklistReviewSettings
    private let impact: (any DomainImpactSource)?
    private let applied: @Sendable () async throws -> Void
    private let failed: @Sendable (String, any Error) -> Void
    private let now: @Sendable () -> Date

    /// - Parameters:
    ///   - applied: called after a batch is written, e.g. `AppliedBlocklist.refresh`.
    ///   - failed: told when `subscriptionUpdated` could not auto-apply (subscription id, error).
    public init(
        store: any BlocklistReviewStore, settings: BlocklistReviewSettings = BlocklistReviewSettings(),
        impact: (any DomainImpactSource)? = nil, applied: @escaping @Sendable () async throws -> Void = {},
        failed: @escaping @Sendable (String, any Error) -> Void = { _, _ in },
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.settings = settings
        self.impact = impact
        self.applied = applied
        self.failed = failed
        self.now = now
    }

    /// The current drafts with their impact.
    public func drafts() async throws -> BlocklistDrafts {
        var drafts = try await draftsWithoutImpact()
        if let impact, !drafts.isEmpty {
            drafts.setImpact(try await impact.impact(of: drafts.all.map(\.domain)))
        }
        return drafts
    }

    private func draftsWithoutImpact() async throws -> BlocklistDrafts {
        let applied = try await store.blocks()
        var subscriptions: [(subscription: BlocklistSubscription, entries: [DomainBlock])] = []
        for subscription in try await store.subscriptions() where subscription.enabled {
            subscriptions.append((subscription, try await store.subscriptionEntries(id: subscription.id)))
        }
        return BlocklistDrafts(
            applied: applied, subscriptions: subscriptions, settings: settings, dismissed: try await store.dismissals())
    }

    /// Applies the selected drafts as one batch. Throws, applying nothing, when the selection is empty, names a
    /// domain without a draft, holds a mass retraction without `confirmMassRetraction`, or a domain changed since.
    @discardableResult
    public func apply(
        _ selection: Selection, confirmMassRetraction: Bool = false, actor: String, channel: BlocklistBatch.Channel
    ) async throws -> BlocklistBatch {
        let drafts = try await draftsWithoutImpact()
        let chosen: [ReviewDraft]
        switch selection {
        case .all: chosen = drafts.all
        case .groups(let kinds): chosen = drafts.all.filter { kinds.contains($0.kind) }
        case .domains(let domains):
            let byDomain = Dictionary(drafts.all.map { ($0.domain, $0) }, uniquingKeysWith: { first, _ in first })
            var seen = Set<String>()
            chosen = try domains.map(Self.normalized).filter { seen.insert($0).inserted }.map {
                domain throws(BlocklistReviewError) in
                guard let draft = byDomain[domain] else {
                    throw BlocklistReviewError(
                        .notFound,
                        "there is no draft for \(domain) (already applied, dismissed, or never proposed); list the drafts "
                            + "to see what can be applied")
                }
                return draft
            }
        }
        guard !chosen.isEmpty else {
            throw BlocklistReviewError(.nothingSelected, "no draft matches the selection; list the drafts first")
        }
        let held = chosen.filter(\.isHeld)
        if !held.isEmpty && !confirmMassRetraction {
            let owners = Set(held.compactMap(\.owner)).sorted().joined(separator: ", ")
            throw BlocklistReviewError(
                .unconfirmedMassRetraction,
                "\(held.count) of the selected retractions are a mass retraction by \(owners) (more than "
                    + "\(Int(settings.massRetractionShare * 100)) % of what it brought); check the list's publisher, then "
                    + "confirm the mass retraction to apply them")
        }
        return try await write(chosen.map(change(for:)), actor: actor, channel: channel, undoing: nil)
    }

    /// Remembers the current proposal for `domain` as dismissed and returns it.
    @discardableResult
    public func dismiss(domain: String, actor: String) async throws -> DraftDismissal {
        let domain = Self.normalized(domain)
        guard let draft = try await draftsWithoutImpact().all.first(where: { $0.domain == domain }) else {
            throw BlocklistReviewError(
                .notFound, "there is no draft for \(domain) to dismiss; list the drafts to see what is proposed")
        }
        try await store.dismiss(draft.dismissal, actor: actor, at: now())
        return draft.dismissal
    }

    /// The most recent batches, newest first.
    public func batches(limit: Int = 20) async throws -> [BlocklistBatch] {
        try await store.batches(limit: limit)
    }

    /// Restores every domain of batch `id` to its entry before the batch, as a new batch; refuses, naming the
    /// domain, when one changed since (a domain that had no entry is restored as a retracted one).
    @discardableResult
    public func undo(batch id: Int64, actor: String, channel: BlocklistBatch.Channel) async throws -> BlocklistBatch {
        guard let batch = try await store.batch(id: id) else {
            throw BlocklistReviewError(.notFound, "there is no batch \(id); list the batches to see their numbers")
        }
        let changes = batch.items.map { item in
            var restored = item.before ?? item.after
            if item.before == nil { restored.state = .retracted }
            return BlocklistChange(kind: nil, expected: item.after, after: restored)
        }
        do {
            return try await write(changes, actor: actor, channel: channel, undoing: id)
        } catch let error as BlocklistReviewError where error.code == .changed {
            let domain = error.domain ?? "a domain"
            throw BlocklistReviewError(
                .changed,
                "batch \(id) cannot be undone: the entry for \(domain) changed after it; nothing was undone, change "
                    + "\(domain) by hand or undo the later batch first",
                domain: domain)
        }
    }

    /// Applies, as one batch by `subscription:ID`, the drafts subscription `id` supports whose kind its
    /// `autoApply` lists, except new suspensions and retractions; nil when there was none.
    @discardableResult
    public func autoApply(subscription id: String) async throws -> BlocklistBatch? {
        guard let subscription = try await store.subscription(id: id), subscription.enabled,
            !subscription.autoApply.isEmpty
        else { return nil }
        let chosen = try await draftsWithoutImpact().all.filter { draft in
            guard subscription.autoApply.contains(draft.kind), draft.kind != .retraction,
                draft.draft.supporters.contains(id), let proposed = draft.draft.proposed
            else { return false }
            return !(proposed.severity == .suspend && draft.draft.applied?.severity != .suspend)
        }
        guard !chosen.isEmpty else { return nil }
        return try await write(chosen.map(change(for:)), actor: "subscription:\(id)", channel: .auto, undoing: nil)
    }

    /// Blocks `block.domain` as one of our own blocks (a person's, e.g. a lead confirming a moderator's proposal),
    /// as one audited batch that can be undone like any other. A stricter or equal active entry is left as it is
    /// (nil); a milder one is raised.
    @discardableResult
    public func block(_ block: DomainBlock, actor: String, channel: BlocklistBatch.Channel) async throws -> BlocklistBatch? {
        let domain = try BlockDomain.normalize(block.domain)
        var wanted = block
        wanted.domain = domain
        let current = try await store.block(domain: domain)
        let active = current.flatMap { $0.state == .active ? $0 : nil }
        if let active, active.severity >= wanted.severity { return nil }
        return try await write(
            [BlocklistChange(kind: active == nil ? .addition : .escalation, expected: active, after: wanted)],
            actor: actor, channel: channel, undoing: nil)
    }

    /// What the fetcher calls after saving subscription `id`'s entries: auto-applies (errors go to `failed`).
    public func subscriptionUpdated(_ id: String) async {
        do {
            try await autoApply(subscription: id)
        } catch {
            failed(id, error)
        }
    }

    /// `domain` as drafts name it (lower case, IDNA ASCII); as given when it is no domain, so that the error
    /// names what was asked for.
    private static func normalized(_ domain: String) -> String {
        (try? BlockDomain.normalize(domain)) ?? domain
    }

    private func change(for draft: ReviewDraft) -> BlocklistChange {
        if let proposed = draft.draft.proposed {
            return BlocklistChange(kind: draft.kind, expected: draft.draft.applied, after: proposed)
        }
        var retracted = draft.draft.applied ?? DomainBlock(domain: draft.domain)
        retracted.state = .retracted
        return BlocklistChange(kind: draft.kind, expected: draft.draft.applied, after: retracted)
    }

    private func write(
        _ changes: [BlocklistChange], actor: String, channel: BlocklistBatch.Channel, undoing: Int64?
    ) async throws -> BlocklistBatch {
        let batch = try await store.applyBatch(changes, actor: actor, channel: channel, at: now(), undoing: undoing)
        try await applied()
        return batch
    }
}
