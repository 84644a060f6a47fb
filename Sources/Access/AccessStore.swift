public import Foundation

/// Durable storage of accounts and tokens. Async, like `CaseStore`: a call that waits on the disk suspends the
/// caller instead of blocking its thread.
public protocol AccessStore: Sendable {
    /// Stores a token by the digest of its secret.
    func insertToken(name: String, scopes: Set<AccessScope>, digest: String, at date: Date) async throws -> AccessToken
    func token(digest: String) async throws -> AccessToken?
    func tokens() async throws -> [AccessToken]
    /// Marks a token revoked; returns false when there is no such token.
    func revokeToken(id: Int64, at date: Date) async throws -> Bool

    func accountCount() async throws -> Int
    /// Inserts an account; throws when the username is taken.
    func insertAccount(username: String, role: Account.Role, passwordHash: String, at date: Date) async throws -> Account
    func account(username: String) async throws -> Account?
}
