/// The drafts between the applied list and the merge of our own blocks with every enabled subscription, grouped
/// as `BlocklistDiff` groups them, less what was dismissed.
public struct BlocklistDrafts: Sendable, Hashable {
    /// The merge source standing for our own applied blocks.
    public static let localSource = "local"

    public var additions: [ReviewDraft] = []
    public var escalations: [ReviewDraft] = []
    public var downgrades: [ReviewDraft] = []
    public var retractions: [ReviewDraft] = []

    public init() {}

    /// Merges the active applied entries that are our own (not brought by a subscription) with each enabled
    /// subscription's entries under `settings.plan`, diffs the result against `applied`, leaves out `dismissed`
    /// proposals and holds mass retractions. Impact is left at zero (see `BlocklistReview`).
    public init(
        applied: [DomainBlock], subscriptions: [(subscription: BlocklistSubscription, entries: [DomainBlock])],
        settings: BlocklistReviewSettings, dismissed: Set<DraftDismissal> = []
    ) {
        let enabled = subscriptions.filter(\.subscription.enabled)
        let own = applied.filter { $0.state == .active && $0.provenance?.origin.isSubscription != true }
        let sources =
            [BlocklistSource(id: Self.localSource, entries: own, isSubscription: false)]
            + enabled.map { $0.subscription.source(entries: $0.entries) }
        let merged = BlocklistMerge.merge(sources, plan: settings.plan)
        let diff = BlocklistDiff(applied: applied, merged: merged)

        var listed: [String: [ReviewDraft.Support]] = [:]
        let drafted = Set(diff.all.map(\.domain))
        for (subscription, entries) in enabled {
            for entry in entries where entry.state == .active && drafted.contains(entry.domain) {
                listed[entry.domain, default: []].append(
                    .init(
                        subscription: subscription.id, severity: entry.severity, publicComment: entry.publicComment,
                        privateComment: entry.privateComment))
            }
        }
        func review(_ drafts: [BlocklistDraft]) -> [ReviewDraft] {
            drafts.filter { !dismissed.contains(DraftDismissal($0)) }.map { draft in
                ReviewDraft(
                    draft: draft, support: listed[draft.domain] ?? [],
                    owner: draft.kind == .retraction ? draft.applied?.provenance?.origin.name : nil)
            }
        }
        additions = review(diff.additions)
        escalations = review(diff.escalations)
        downgrades = review(diff.downgrades)
        retractions = review(diff.retractions)

        // Share of what each subscription brought that its retractions would remove.
        var owned: [String: Int] = [:]
        for block in applied where block.state == .active {
            if case .subscription(let id) = block.provenance?.origin { owned[id, default: 0] += 1 }
        }
        var retracting: [String: Int] = [:]
        for draft in diff.retractions {
            if let owner = draft.applied?.provenance?.origin.name { retracting[owner, default: 0] += 1 }
        }
        for index in retractions.indices {
            guard let owner = retractions[index].owner, let count = retracting[owner], let total = owned[owner] else {
                continue
            }
            retractions[index].isHeld = Double(count) > settings.massRetractionShare * Double(total)
        }
    }

    /// Every draft, additions first.
    public var all: [ReviewDraft] { additions + escalations + downgrades + retractions }

    /// The retractions that need a confirmation.
    public var held: [ReviewDraft] { retractions.filter(\.isHeld) }

    public var isEmpty: Bool { all.isEmpty }

    public func group(_ kind: BlocklistDraft.Kind) -> [ReviewDraft] {
        switch kind {
        case .addition: additions
        case .escalation: escalations
        case .downgrade: downgrades
        case .retraction: retractions
        }
    }

    /// Sets each draft's impact from `impact` (domains missing there keep zero).
    public mutating func setImpact(_ impact: [String: DomainImpact]) {
        for index in additions.indices { additions[index].impact = impact[additions[index].domain] ?? DomainImpact() }
        for index in escalations.indices {
            escalations[index].impact = impact[escalations[index].domain] ?? DomainImpact()
        }
        for index in downgrades.indices {
            downgrades[index].impact = impact[downgrades[index].domain] ?? DomainImpact()
        }
        for index in retractions.indices {
            retractions[index].impact = impact[retractions[index].domain] ?? DomainImpact()
        }
    }
}
