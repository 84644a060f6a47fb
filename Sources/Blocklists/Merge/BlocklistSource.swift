/// One list taking part in a merge: our own, or a subscribed peer's, with how far we trust it.
public struct BlocklistSource: Sendable {
    /// The subscription id, or a name for a local list; recorded as a supporter of what it contributes.
    public var id: String
    /// Active entries count as support; a retracted entry only withdraws this source's own support.
    public var entries: [DomainBlock]
    /// This source's share in `.weight` and `.weightedPercent` thresholds.
    public var weight: Double
    /// The most this source may ask for: stricter entries are read at this severity.
    public var severityCap: BlockSeverity
    /// When set, the source counts only for entries carrying one of these reasons ("trusted for spam and csam").
    public var trustedReasons: Set<BlockReason>?
    /// A subscribed peer list (true) or our own (false). Our own entries pass any threshold: peers' consensus
    /// decides what we adopt from them, not what we block ourselves.
    public var isSubscription: Bool

    public init(
        id: String, entries: [DomainBlock], weight: Double = 1, severityCap: BlockSeverity = .suspend,
        trustedReasons: Set<BlockReason>? = nil, isSubscription: Bool = true
    ) {
        self.id = id
        self.entries = entries
        self.weight = weight
        self.severityCap = severityCap
        self.trustedReasons = trustedReasons
        self.isSubscription = isSubscription
    }
}
