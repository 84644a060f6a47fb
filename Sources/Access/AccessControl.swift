public import Foundation
import Synchronization

/// Issues and checks bearer tokens, and creates the first admin account.
public final class AccessControl: Sendable {
    public let store: any AccessStore
    /// Recently checked tokens by digest, so a busy hook does not read the database per request. Revocation
    /// takes effect within `cacheLifetime`.
    private let cache = Mutex<[String: (token: AccessToken?, checkedAt: ContinuousClock.Instant)]>([:])
    public let cacheLifetime: Duration

    public init(store: any AccessStore, cacheLifetime: Duration = .seconds(30)) {
        self.store = store
        self.cacheLifetime = cacheLifetime
    }

    /// A new token; the secret is returned once and only its digest is stored.
    public func issueToken(name: String, scopes: Set<AccessScope>, at date: Date = Date()) async throws -> (token: AccessToken, secret: String) {
        let secret = TokenSecret.generate()
        let token = try await store.insertToken(name: name, scopes: scopes, digest: TokenSecret.digest(secret), at: date)
        return (token, secret)
    }

    /// The token a secret names, if it exists and is not revoked.
    public func authenticate(secret: String) async throws -> AccessToken? {
        let digest = TokenSecret.digest(secret)
        let now = ContinuousClock.now
        if let cached = cache.withLock({ $0[digest] }), now - cached.checkedAt < cacheLifetime {
            return cached.token
        }
        let token = try await store.token(digest: digest).flatMap { $0.revokedAt == nil ? $0 : nil }
        cache.withLock { cache in
            if cache.count > 10_000 { cache.removeAll() }
            cache[digest] = (token, now)
        }
        return token
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
        let account = try await store.insertAccount(
            username: username, role: .admin, passwordHash: try PasswordHash.make(password), at: date)
        let (token, secret) = try await issueToken(name: "\(username) (first start)", scopes: [.admin], at: date)
        return FirstAdmin(account: account, password: password, token: token, tokenSecret: secret)
    }
}
