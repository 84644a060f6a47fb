/// The drafts between the applied list and a merge result, grouped as additions, escalations, downgrades and
/// retractions, each sorted by domain.
///
/// Subscriptions only relax what they own: a block we applied ourselves (its provenance is not a subscription)
/// is never retracted or downgraded by a merge, only escalated. A block stays while any source still supports
/// it, since the merge result then still carries it. Comment-only changes are not drafts.
public struct BlocklistDiff: Sendable {
    public private(set) var additions: [BlocklistDraft] = []
    public private(set) var escalations: [BlocklistDraft] = []
    public private(set) var downgrades: [BlocklistDraft] = []
    public private(set) var retractions: [BlocklistDraft] = []

    public init(applied: [DomainBlock], merged: [MergedBlock]) {
        var appliedByDomain: [String: DomainBlock] = [:]
        appliedByDomain.reserveCapacity(applied.count)
        for block in applied where block.state == .active { appliedByDomain[block.domain] = block }
        var proposedDomains = Set<String>()
        proposedDomains.reserveCapacity(merged.count)

        for item in merged {
            let proposed = item.block
            proposedDomains.insert(proposed.domain)
            guard let current = appliedByDomain[proposed.domain] else {
                if proposed.severity != .noop || proposed.rejectMedia || proposed.rejectReports {
                    additions.append(draft(.addition, current: nil, proposed: proposed, supporters: item.supporters))
                }
                continue
            }
            guard !proposed.hasSamePolicy(as: current) else { continue }
            if Self.isEscalation(from: current, to: proposed) {
                escalations.append(
                    draft(.escalation, current: current, proposed: proposed, supporters: item.supporters))
            } else if current.provenance?.origin.isSubscription == true {
                downgrades.append(draft(.downgrade, current: current, proposed: proposed, supporters: item.supporters))
            }
        }
        for block in appliedByDomain.values
        where block.provenance?.origin.isSubscription == true && !proposedDomains.contains(block.domain) {
            retractions.append(draft(.retraction, current: block, proposed: nil, supporters: []))
        }
        let byDomain = { (first: BlocklistDraft, second: BlocklistDraft) in
            first.domain < second.domain
        }
        additions.sort(by: byDomain)
        escalations.sort(by: byDomain)
        downgrades.sort(by: byDomain)
        retractions.sort(by: byDomain)
    }

    /// Every draft, additions first.
    public var all: [BlocklistDraft] { additions + escalations + downgrades + retractions }

    public var isEmpty: Bool { additions.isEmpty && escalations.isEmpty && downgrades.isEmpty && retractions.isEmpty }

    /// A higher severity; at the same severity, a flag newly set.
    static func isEscalation(from current: DomainBlock, to proposed: DomainBlock) -> Bool {
        if proposed.severity != current.severity { return proposed.severity > current.severity }
        return (proposed.rejectMedia && !current.rejectMedia) || (proposed.rejectReports && !current.rejectReports)
    }

    private func draft(
        _ kind: BlocklistDraft.Kind, current: DomainBlock?, proposed: DomainBlock?, supporters: [String]
    ) -> BlocklistDraft {
        BlocklistDraft(
            kind: kind, domain: proposed?.domain ?? current?.domain ?? "", applied: current, proposed: proposed,
            supporters: supporters)
    }
}
