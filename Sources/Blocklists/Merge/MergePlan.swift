/// How sources are merged: FediBlockHole's `mergeplan` and `merge_threshold`/`merge_threshold_type`, plus
/// weighted trust, allowlists and our excludes.
public struct MergePlan: Sendable {
    /// Which severity wins when sources disagree.
    public enum SeverityPlan: String, Sendable, CaseIterable {
        /// The strictest severity; a flag is set when any source sets it.
        case max
        /// The mildest severity; a flag is cleared when any source clears it.
        case min
    }

    /// How much support a domain needs to be kept.
    public enum Threshold: Sendable, Hashable {
        /// At least this many sources list it (FediBlockHole `count`).
        case count(Int)
        /// At least this percentage of sources list it (FediBlockHole `pct`).
        case percent(Double)
        /// The weights of the sources listing it add up to at least this.
        case weight(Double)
        /// The sources listing it carry at least this percentage of all sources' weight.
        case weightedPercent(Double)
    }

    public var severity: SeverityPlan
    public var threshold: Threshold
    /// Domains never kept, matched exactly as FediBlockHole's allowlists match (normalised).
    public var allowlist: Set<String>
    /// Our own domain and the excludes, which remove the domain and its subdomains.
    public var policy: DomainPolicy

    public init(
        severity: SeverityPlan = .max, threshold: Threshold = .count(0), allowlist: Set<String> = [],
        policy: DomainPolicy = .unrestricted
    ) {
        self.severity = severity
        self.threshold = threshold
        self.allowlist = allowlist
        self.policy = policy
    }
}
