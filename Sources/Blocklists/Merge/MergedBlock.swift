/// One entry of a merge result, with the sources behind it.
public struct MergedBlock: Sendable, Hashable {
    /// The merged entry; its provenance is our own entry's when we list it, else the first supporting
    /// subscription.
    public var block: DomainBlock
    /// The ids of the sources supporting it, in source order.
    public var supporters: [String]
    /// The sum of the supporters' weights.
    public var weight: Double
    /// Whether only subscriptions support it: such entries can be left out of what we publish, so that no list
    /// carries a block only because it is on the list.
    public var fromSubscription: Bool

    public var domain: String { block.domain }
}
