public import Foundation
import Synchronization

/// Issues and checks bearer tokens, signs people in, and creates the first admin account.
public final class AccessControl: Sendable {
    public let store: any AccessStore
    /// Recently checked tokens by digest, with the account a bound token acts for, so a busy hook does not read the
    /// database per request. Revoking a token, disabling its account or changing the account's role through
    /// another process (`herdwatch token revoke`, `herdwatch user disable`) takes effect within `cacheLifetime`;
    /// through this instance, at once.
    private let cache = Mutex(CheckedTokens())
    private struct CheckedTokens {
        var principals: [String: (principal: Principal?, checkedAt: ContinuousClock.Instant)] = [:]
        /// Counts `forgetCheckedTokens` calls, so that a check that read the store before one is not cached after.
        var generation = 0
    }
    public let cacheLifetime: Duration
    /// Where bcrypt and PBKDF2 run (see `PasswordWork`).
    public let passwordWork: any PasswordWork
    public let throttle: SignInThrottle
    /// bcrypt's cost for new password hashes; tests lower it to save time.
    public let passwordCost: UInt8
    /// Verified when the username is unknown, so that answer takes as long as a wrong password.
    let dummyHash = Mutex<String?>(nil)

    public init(
        store: any AccessStore, cacheLifetime: Duration = .seconds(30),
        passwordWork: any PasswordWork = SerialPasswordWork(),
        throttle: SignInThrottle = SignInThrottle(), passwordCost: UInt8 = PasswordHash.cost
    ) {
        self.store = store
        self.cacheLifetime = cacheLifetime
        self.passwordWork = passwordWork
        self.throttle = throttle
        self.passwordCost = passwordCost
    }

    // MARK: Tokens

    /// A new token; the secret is returned once and only its digest is stored. Bound to `account`, it acts as that
    /// person, limited by both the role and `scopes`.
    public func issueToken(
        name: String, scopes: Set<AccessScope>, for account: Account? = nil, at date: Date = Date()
    ) async throws -> (token: AccessToken, secret: String) {
        let secret = TokenSecret.generate()
        let token = try await store.insertToken(
            name: name, scopes: scopes, digest: TokenSecret.digest(secret), at: date, accountID: account?.id)
        return (token, secret)
    }

    /// The token a secret names, if it exists and is not revoked, and its account, if bound, is not disabled.
    public func authenticate(secret: String) async throws -> AccessToken? {
        try await principal(bearer: secret)?.token
    }

    /// Who acts with a bearer token (`via: .api`): the token, and the account it is bound to. Nil when the token is
    /// unknown or revoked, or its account is disabled or gone.
    public func principal(bearer secret: String) async throws -> Principal? {
        let digest = TokenSecret.digest(secret)
        let now = ContinuousClock.now
        let (cached, generation) = cache.withLock { ($0.principals[digest], $0.generation) }
        if let cached, now - cached.checkedAt < cacheLifetime {
            return cached.principal
        }
        var principal: Principal?
        if let token = try await store.token(digest: digest), token.revokedAt == nil {
            if let accountID = token.accountID {
                if let account = try await store.account(id: accountID), account.disabledAt == nil {
                    principal = Principal(account: account, token: token, via: .api)
                }
            } else {
                principal = Principal(account: nil, token: token, via: .api)
            }
        }
        cache.withLock { cache in
            guard cache.generation == generation else { return }
            if cache.principals.count > 10_000 { cache.principals.removeAll() }
            cache.principals[digest] = (principal, now)
        }
        return principal
    }

    /// Forgets every checked token, so changes made through this instance apply to the next request.
    private func forgetCheckedTokens() {
        cache.withLock { cache in
            cache.principals.removeAll()
            cache.generation += 1
        }
    }

    // MARK: Accounts

    /// A new account with `password` (hashed with bcrypt on `passwordWork`). Throws `AccessError` for an unusable
    /// password and `AccountExistsError` for a taken name.
    public func createAccount(username: String, role: Account.Role, password: String, at date: Date = Date())
        async throws -> Account
    {
        let hash = try await hash(password)
        return try await store.insertAccount(username: username, role: role, passwordHash: hash, at: date)
    }

    /// Replaces an account's password.
    public func setPassword(_ password: String, for account: Account) async throws {
        let hash = try await hash(password)
        guard try await store.setPasswordHash(accountID: account.id, to: hash) else {
            throw AccessError.unknownAccount(username: account.username)
        }
    }

    /// Changes an account's role; its tokens act with the new role from the next request. Throws `AccessError`
    /// (`.lastAdmin`) rather than demote the only enabled admin.
    public func setRole(_ role: Account.Role, for account: Account) async throws {
        if role != .admin {
            try await keepAnAdmin(besides: account, doing: "make \(account.username) \(role.rawValue)")
        }
        guard try await store.setRole(accountID: account.id, to: role) else {
            throw AccessError.unknownAccount(username: account.username)
        }
        forgetCheckedTokens()
    }

    /// Disables an account: it can no longer sign in, and its tokens stop working from the next request. Throws
    /// `AccessError` (`.lastAdmin`) rather than disable the only enabled admin.
    public func disable(_ account: Account, at date: Date = Date()) async throws {
        try await keepAnAdmin(besides: account, doing: "disable \(account.username)")
        guard try await store.disableAccount(id: account.id, at: date) else {
            throw AccessError.unknownAccount(username: account.username)
        }
        forgetCheckedTokens()
    }

    public func enable(_ account: Account) async throws {
        guard try await store.enableAccount(id: account.id) else {
            throw AccessError.unknownAccount(username: account.username)
        }
        forgetCheckedTokens()
    }

    /// Throws unless an enabled admin other than `account` would remain.
    private func keepAnAdmin(besides account: Account, doing change: String) async throws {
        guard let current = try await store.account(id: account.id), current.role == .admin, current.disabledAt == nil
        else { return }
        let others = try await store.accounts().filter {
            $0.role == .admin && $0.disabledAt == nil && $0.id != account.id
        }
        if others.isEmpty {
            throw AccessError(
                .lastAdmin,
                "cannot \(change): \(account.username) is the only enabled admin; make another admin first (`herdwatch user add NAME --role admin`)"
            )
        }
    }

    private func hash(_ password: String) async throws -> String {
        try PasswordHash.validate(password)
        let cost = passwordCost
        return try await passwordWork.run { try PasswordHash.make(password, cost: cost) }
    }

    /// What `bootstrapAdmin` created, to show the person starting the server once.
    public struct FirstAdmin: Sendable {
        public var account: Account
        public var password: String
        public var token: AccessToken
        public var tokenSecret: String
    }

    /// On first start (no account yet), creates the `admin` account with a random password and an admin token.
    public func bootstrapAdmin(username: String = "admin", at date: Date = Date()) async throws -> FirstAdmin? {
        guard try await store.accountCount() == 0 else { return nil }
        let password = PasswordHash.generatePassword()
        let account = try await createAccount(username: username, role: .admin, password: password, at: date)
        let (token, secret) = try await issueToken(name: "\(username) (first start)", scopes: [.admin], at: date)
        return FirstAdmin(account: account, password: password, token: token, tokenSecret: secret)
    }
}
