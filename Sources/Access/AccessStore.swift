public import Foundation

/// Durable storage of accounts and tokens. Async, like `CaseStore`: a call that waits on the disk suspends the
/// caller instead of blocking its thread.
public protocol AccessStore: Sendable {
    /// Stores a token by the digest of its secret, bound to an account when `accountID` is set; throws
    /// `AccessError` (`.unknownAccount`) when there is no such account.
    func insertToken(name: String, scopes: Set<AccessScope>, digest: String, at date: Date, accountID: Int64?)
        async throws -> AccessToken
    func token(digest: String) async throws -> AccessToken?
    /// Every token, oldest first.
    func tokens() async throws -> [AccessToken]
    /// The tokens bound to an account, oldest first.
    func tokens(accountID: Int64) async throws -> [AccessToken]
    /// Marks a token revoked; returns false when there is no such token.
    func revokeToken(id: Int64, at date: Date) async throws -> Bool

    func accountCount() async throws -> Int
    /// Inserts an account; throws `AccountExistsError` when the username is taken.
    func insertAccount(username: String, role: Account.Role, passwordHash: String, at date: Date) async throws
        -> Account
    func account(username: String) async throws -> Account?
    func account(id: Int64) async throws -> Account?
    /// Every account, oldest first.
    func accounts() async throws -> [Account]
    /// The following change one account and return false when there is no such account.
    func setRole(accountID: Int64, to role: Account.Role) async throws -> Bool
    func setPasswordHash(accountID: Int64, to passwordHash: String) async throws -> Bool
    /// Disables an account, dated by the first disabling; `enableAccount` clears it.
    func disableAccount(id: Int64, at date: Date) async throws -> Bool
    func enableAccount(id: Int64) async throws -> Bool
    /// Sets the account's `blurMedia` preference (nil: the server's default).
    func setBlurMedia(accountID: Int64, to blurMedia: Bool?) async throws -> Bool
}

extension AccessStore {
    /// Stores a token of its own (not bound to an account).
    public func insertToken(name: String, scopes: Set<AccessScope>, digest: String, at date: Date) async throws
        -> AccessToken
    {
        try await insertToken(name: name, scopes: scopes, digest: digest, at: date, accountID: nil)
    }
}
