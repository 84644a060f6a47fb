/// What a person or script may do in Herdwatch. Routes and commands ask for a permission, never for a role, so
/// the table in `Account.Role.permissions` is the one place that says who may do what.
public enum Permission: String, Sendable, Hashable, Codable, CaseIterable {
    /// `POST /api/v1/check`: evaluate activities.
    case check
    /// See the queue and cases, claim cases and decide them (approve, reject, escalate, propose).
    case decide
    /// Work escalated cases and confirm or refuse proposals (limit or suspend an actor, block a domain).
    case confirmProposals
    /// Create, change and assign queues.
    case manageQueues
    /// The metrics and QA pages and endpoints.
    case viewMetrics
    /// The audit log.
    case viewAudit
    /// IP addresses, request headers and other personal data beyond the post and the public profile.
    case viewPersonalData
    /// Add, disable and change users; issue and revoke tokens.
    case manageUsers
    /// Reload rules and change settings.
    case administer
    /// Read the domain blocklist through the admin API and the workbench.
    case readBlocklist
    /// Change the domain blocklist and review subscription drafts.
    case writeBlocklist
}

extension Account.Role {
    /// What each role may do:
    /// - admin: everything;
    /// - lead: decide, confirm proposals, manage queues, see metrics and the audit log, personal data, blocklists;
    /// - moderator: decide, and see personal data needed to judge a delivery;
    /// - contractor: decide within assigned queues, nothing else (never personal data).
    public var permissions: Set<Permission> {
        switch self {
        case .admin: Set(Permission.allCases)
        case .lead: [.decide, .confirmProposals, .manageQueues, .viewMetrics, .viewAudit, .viewPersonalData, .readBlocklist, .writeBlocklist]
        case .moderator: [.decide, .viewPersonalData]
        case .contractor: [.decide]
        }
    }

    public func allows(_ permission: Permission) -> Bool { permissions.contains(permission) }
}

/// Who is making a request: a signed-in person (browser session), a token bound to a person, or a token of its
/// own (a script or server, limited by its scopes). Audit records and decisions name the principal.
public struct Principal: Sendable, Hashable {
    public enum Via: String, Sendable, Hashable, Codable {
        case ui
        case api
        case cli
        case rule
        case expiry
    }

    /// The account acting, when a person acts (session, or token bound to a user).
    public var account: Account?
    /// The token used, for API calls.
    public var token: AccessToken?
    public var via: Via

    public init(account: Account?, token: AccessToken?, via: Via) {
        self.account = account
        self.token = token
        self.via = via
    }

    /// The role that limits this principal: the account's role; for a token without a user, the role its scopes
    /// amount to (`admin` scope: admin, `moderate`: moderator, `check` only: none).
    public var role: Account.Role? {
        if let account { return account.role }
        guard let token else { return nil }
        if token.scopes.contains(.admin) { return .admin }
        if token.scopes.contains(.moderate) { return .moderator }
        return nil
    }

    /// Whether the principal may do `permission`: the role must allow it, and a token must also carry a scope
    /// that covers it (a contractor's `check`-only token cannot decide cases). A token of its own is given what its
    /// `check` or Mastodon `admin:…` scopes name, as a script's token is. A disabled account may do nothing.
    public func allows(_ permission: Permission) -> Bool {
        if let account, account.disabledAt != nil { return false }
        if let token {
            guard token.revokedAt == nil, token.scopes.contains(where: { $0.covers(permission) }) else { return false }
            if account == nil, [.check, .readBlocklist, .writeBlocklist].contains(permission) { return true }
        }
        return role?.allows(permission) ?? false
    }

    /// The name audit records and decisions carry: `alice`, `alice (token 4)`, or `token 4 (deploy-hook)`.
    public var displayName: String {
        switch (account, token) {
        case (let account?, let token?): "\(account.username) (token \(token.id))"
        case (let account?, nil): account.username
        case (nil, let token?): "token \(token.id) (\(token.name))"
        case (nil, nil): via.rawValue
        }
    }
}

extension AccessScope {
    /// Whether a token with this scope may be used for `permission` (the role still has to allow it).
    public func covers(_ permission: Permission) -> Bool {
        switch self {
        case .admin: true
        case .check: permission == .check
        case .moderate: [.decide, .viewPersonalData, .confirmProposals, .viewMetrics, .viewAudit, .manageQueues].contains(permission)
        case .adminRead, .adminReadDomainBlocks: permission == .readBlocklist
        case .adminWrite, .adminWriteDomainBlocks: permission == .writeBlocklist
        }
    }
}
