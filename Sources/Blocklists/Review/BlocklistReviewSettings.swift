/// How drafts are computed (server keys `blocklist.merge.*`).
public struct BlocklistReviewSettings: Sendable {
    /// Threshold, `max`/`min` plan, allowlist, our own domain and excludes.
    public var plan: MergePlan
    /// A subscription's retractions are held for confirmation when they would remove more than this share (0 to 1)
    /// of the blocks it brought into the applied list.
    public var massRetractionShare: Double

    public init(plan: MergePlan = MergePlan(), massRetractionShare: Double = 0.2) {
        self.plan = plan
        self.massRetractionShare = massRetractionShare
    }
}
