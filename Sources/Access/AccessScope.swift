/// What a bearer token may do.
public enum AccessScope: String, Sendable, Hashable, Codable, CaseIterable {
    /// `POST /api/v1/check`: evaluate activities (for servers and scripts calling the hook).
    case check
    /// Read and decide review cases.
    case moderate
    /// Mastodon's granular scope: read the domain blocklist through the admin API.
    case adminReadDomainBlocks = "admin:read:domain_blocks"
    /// Mastodon's granular scope: change the domain blocklist through the admin API.
    case adminWriteDomainBlocks = "admin:write:domain_blocks"
    /// Mastodon's `admin:read`: here, read the domain blocklist and its measures.
    case adminRead = "admin:read"
    /// Mastodon's `admin:write`: here, change the domain blocklist.
    case adminWrite = "admin:write"
    /// Everything, including issuing tokens.
    case admin

    /// Whether a token with this scope may do what `required` allows.
    public func grants(_ required: AccessScope) -> Bool {
        self == .admin || self == required
    }
}
