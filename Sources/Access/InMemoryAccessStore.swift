public import Foundation
import Synchronization

/// `AccessStore` in memory, for tests.
public final class InMemoryAccessStore: AccessStore {
    private struct State {
        var tokens: [Int64: (token: AccessToken, digest: String)] = [:]
        var accounts: [String: Account] = [:]
        var nextID: Int64 = 1
    }

    private let state = Mutex(State())

    public init() {}

    public func insertToken(name: String, scopes: Set<AccessScope>, digest: String, at date: Date) async throws -> AccessToken {
        state.withLock { state in
            let token = AccessToken(id: state.nextID, name: name, scopes: scopes, createdAt: date)
            state.nextID += 1
            state.tokens[token.id] = (token, digest)
            return token
        }
    }

    public func token(digest: String) async throws -> AccessToken? {
        state.withLock { state in state.tokens.values.first { $0.digest == digest }?.token }
    }

    public func tokens() async throws -> [AccessToken] {
        state.withLock { state in state.tokens.values.map(\.token).sorted { $0.id < $1.id } }
    }

    public func revokeToken(id: Int64, at date: Date) async throws -> Bool {
        state.withLock { state in
            guard var entry = state.tokens[id] else { return false }
            entry.token.revokedAt = entry.token.revokedAt ?? date
            state.tokens[id] = entry
            return true
        }
    }

    public func accountCount() async throws -> Int { state.withLock { $0.accounts.count } }

    public func insertAccount(username: String, role: Account.Role, passwordHash: String, at date: Date) async throws -> Account {
        try state.withLock { state in
            guard state.accounts[username] == nil else { throw AccountExistsError(username: username) }
            let account = Account(id: state.nextID, username: username, role: role, passwordHash: passwordHash, createdAt: date)
            state.nextID += 1
            state.accounts[username] = account
            return account
        }
    }

    public func account(username: String) async throws -> Account? { state.withLock { $0.accounts[username] } }
}

/// An account name that is already taken.
public struct AccountExistsError: Error, Sendable, CustomStringConvertible {
    public var username: String

    public init(username: String) { self.username = username }

    public var description: String { "an account named \(username) already exists; choose another name" }
}
