/// What a bearer token may do.
public enum AccessScope: String, Sendable, Hashable, Codable, CaseIterable {
    /// `POST /api/v1/check`: evaluate activities (for servers and scripts calling the hook).
    case check
    /// Read and decide review cases.
    case moderate
    /// Everything, including issuing tokens.
    case admin

    /// Whether a token with this scope may do what `required` allows.
    public func grants(_ required: AccessScope) -> Bool {
        self == .admin || self == required
    }
}
