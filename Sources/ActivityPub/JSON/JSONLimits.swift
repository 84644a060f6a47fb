/// Bounds that keep a hostile body from costing unbounded time or memory.
public struct JSONLimits: Sendable, Equatable {
    /// Deepest allowed nesting of arrays and objects.
    public var maxDepth: Int
    /// Largest accepted document, in bytes.
    public var maxBytes: Int

    public init(maxDepth: Int = 32, maxBytes: Int = 1 << 20) {
        self.maxDepth = maxDepth
        self.maxBytes = maxBytes
    }

    /// Depth 32, 1 MiB: comfortably above any real ActivityPub payload.
    public static let `default` = JSONLimits()
}
