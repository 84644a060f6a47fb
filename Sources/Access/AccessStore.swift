public import Foundation

/// Durable storage of accounts and tokens.
public protocol AccessStore: Sendable {
    /// Stores a token by the digest of its secret.
    func insertToken(name: String, scopes: Set<AccessScope>, digest: String, at date: Date) throws -> AccessToken
    func token(digest: String) throws -> AccessToken?
    func tokens() throws -> [AccessToken]
    /// Marks a token revoked; returns false when there is no such token.
    func revokeToken(id: Int64, at date: Date) throws -> Bool

    func accountCount() throws -> Int
    /// Inserts an account; throws when the username is taken.
    func insertAccount(username: String, role: Account.Role, passwordHash: String, at date: Date) throws -> Account
    func account(username: String) throws -> Account?
}
