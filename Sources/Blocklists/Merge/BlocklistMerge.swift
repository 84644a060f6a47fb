import Foundation

/// Merges lists as FediBlockHole does (every source one mention per domain, a count or percentage threshold, the
/// survivors folded in source order by the `max` or `min` plan, comments merged by `", "` tokens, then the
/// allowlist), with per-source weight, severity caps and trusted reasons, and our own domain and excludes.
public enum BlocklistMerge {
    /// The merged list, sorted by domain. Sources' entries must be normalised (as imports return them).
    public static func merge(_ sources: [BlocklistSource], plan: MergePlan) -> [MergedBlock] {
        var slots: [String: Int] = [:]
        slots.reserveCapacity(sources.first.map { $0.entries.count * 2 } ?? 0)
        var accumulated: [Accumulator] = []
        for source in sources {
            for entry in source.entries where entry.state == .active && !entry.domain.utf8.contains(UInt8(ascii: "*")) {
                if let trusted = source.trustedReasons, trusted.isDisjoint(with: entry.reasons) { continue }
                var entry = entry
                if entry.severity > source.severityCap { entry.severity = source.severityCap }
                if let slot = slots[entry.domain] {
                    accumulated[slot].add(entry, from: source, plan: plan.severity)
                } else {
                    slots[entry.domain] = accumulated.count
                    accumulated.append(Accumulator(entry, from: source))
                }
            }
        }

        let totalWeight = sources.reduce(0) { $0 + $1.weight }
        var merged: [MergedBlock] = []
        merged.reserveCapacity(accumulated.count)
        for item in accumulated where item.hasLocalSupport || passes(item, plan.threshold, sources.count, totalWeight) {
            let domain = item.block.domain
            guard !plan.allowlist.contains(domain) else { continue }
            guard (try? plan.policy.check(domain)) != nil else { continue }
            var block = item.block
            if !item.hasLocalSupport {
                block.provenance = BlockProvenance(origin: .subscription(item.supporters[0]))
            }
            merged.append(
                MergedBlock(
                    block: block, supporters: item.supporters, weight: item.weight,
                    fromSubscription: !item.hasLocalSupport))
        }
        // Domains are ASCII, whose String order is byte order.
        merged.sort { $0.domain < $1.domain }
        return merged
    }

    private static func passes(
        _ item: Accumulator, _ threshold: MergePlan.Threshold, _ sourceCount: Int, _ totalWeight: Double
    ) -> Bool {
        switch threshold {
        case .count(let count): item.supporters.count >= count
        case .percent(let percent): Double(item.supporters.count) / Double(sourceCount) * 100 >= percent
        case .weight(let weight): item.weight >= weight
        case .weightedPercent(let percent): totalWeight > 0 && item.weight / totalWeight * 100 >= percent
        }
    }

    private struct Accumulator {
        var block: DomainBlock
        var supporters: [String]
        var weight: Double
        var hasLocalSupport: Bool

        init(_ entry: DomainBlock, from source: BlocklistSource) {
            block = entry
            supporters = [source.id]
            weight = source.weight
            hasLocalSupport = !source.isSubscription
        }

        /// FediBlockHole's `apply_mergeplan`, plus reasons and evidence (united) and the highest revision.
        mutating func add(_ entry: DomainBlock, from source: BlocklistSource, plan: MergePlan.SeverityPlan) {
            // A source listing a domain twice supports it once.
            guard supporters.last != source.id else { return }
            supporters.append(source.id)
            weight += source.weight
            if !source.isSubscription {
                if !hasLocalSupport { block.provenance = entry.provenance }
                hasLocalSupport = true
            }
            block.publicComment = BlocklistMerge.mergeComments(block.publicComment, entry.publicComment)
            block.privateComment = BlocklistMerge.mergeComments(block.privateComment, entry.privateComment)
            switch plan {
            case .max:
                block.severity = Swift.max(block.severity, entry.severity)
                block.rejectMedia = block.rejectMedia || entry.rejectMedia
                block.rejectReports = block.rejectReports || entry.rejectReports
                block.obfuscate = block.obfuscate || entry.obfuscate
            case .min:
                block.severity = Swift.min(block.severity, entry.severity)
                block.rejectMedia = block.rejectMedia && entry.rejectMedia
                block.rejectReports = block.rejectReports && entry.rejectReports
                block.obfuscate = block.obfuscate && entry.obfuscate
            }
            block.reasons.formUnion(entry.reasons)
            for link in entry.evidence where !block.evidence.contains(link) { block.evidence.append(link) }
            block.revision = Swift.max(block.revision, entry.revision)
        }
    }

    /// FediBlockHole's `merge_comments`: the old comment's `", "` tokens, then the new one's that are not among
    /// them, so that merging again never grows the comment.
    static func mergeComments(_ old: String, _ new: String) -> String {
        if old == new || new.isEmpty { return old }
        if old.isEmpty { return new }
        let oldTokens = commentTokens(old)
        var newTokens = commentTokens(new)
        for token in oldTokens {
            if let index = newTokens.firstIndex(of: token) { newTokens.remove(at: index) }
        }
        return (oldTokens + newTokens).joined(separator: ", ")
    }

    /// `text` split at every `", "`, empty tokens left out (Python's `split(", ")` and FediBlockHole's removal of
    /// `""`), read byte by byte: merging half a million entries spent a fifth of its time in generic splitting.
    static func commentTokens(_ text: String) -> [Substring] {
        var tokens: [Substring] = []
        let bytes = text.utf8
        var start = bytes.startIndex
        var index = start
        while index != bytes.endIndex {
            let next = bytes.index(after: index)
            if bytes[index] == UInt8(ascii: ","), next != bytes.endIndex, bytes[next] == UInt8(ascii: " ") {
                if start != index { tokens.append(text[start..<index]) }
                index = bytes.index(after: next)
                start = index
            } else {
                index = next
            }
        }
        if start != bytes.endIndex { tokens.append(text[start...]) }
        return tokens
    }
}
