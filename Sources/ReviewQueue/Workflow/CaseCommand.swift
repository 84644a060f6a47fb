public import Access
public import Foundation

/// One move on a case by a principal: every store applies it with `ReviewCase.applying(_:)` inside one
/// transaction, together with the audit entry it produces.
public struct CaseCommand: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// Lease the case (open → in review; an escalated case stays escalated) for `lease` seconds.
        case claim(lease: TimeInterval)
        /// Extend the caller's lease by `lease` seconds from now.
        case renew(lease: TimeInterval)
        /// Give the case back: in review → open.
        case release
        /// Decide the case; `delivery` is set when an approved held request was replayed upstream.
        case decide(Decision, delivery: ReviewCase.Delivery?)
        /// Closed → open.
        case reopen(reason: String, note: String?)
    }

    public var kind: Kind
    public var principal: Principal
    /// The case version the caller saw; nil skips the check (the version-less legacy routes, leases).
    public var version: Int?
    public var at: Date
    /// Groups the audit entries of one bulk decision.
    public var batchID: String?

    public init(_ kind: Kind, by principal: Principal, version: Int? = nil, at: Date, batchID: String? = nil) {
        self.kind = kind
        self.principal = principal
        self.version = version
        self.at = at
        self.batchID = batchID
    }
}

extension Principal {
    /// Names the person (or, for a token of its own, the token) for leases: a person holds a case through the
    /// browser and through their bound tokens alike.
    public var leaseKey: String {
        if let account { return "account:\(account.id)" }
        if let accountID = token?.accountID { return "account:\(accountID)" }
        if let token { return "token:\(token.id)" }
        return "via:\(via.rawValue)"
    }

    /// The account id audit entries carry.
    public var accountID: Int64? { account?.id ?? token?.accountID }
}

extension ReviewCase.Lease {
    /// How long `next` and `claim` lease a case unless told otherwise: renewed while the page is open.
    public static let defaultDuration: TimeInterval = 600
}
