public import Foundation
import Synchronization

/// `AccessStore` in memory, for tests.
public final class InMemoryAccessStore: AccessStore {
    private struct State {
        var tokens: [Int64: (token: AccessToken, digest: String)] = [:]
        var accounts: [Int64: Account] = [:]
        var nextID: Int64 = 1

        func accountID(username: String) -> Int64? {
            accounts.values.first { $0.username == username }?.id
        }

        mutating func changeAccount(_ id: Int64, _ change: (inout Account) -> Void) -> Bool {
            guard var account = accounts[id] else { return false }
            change(&account)
            accounts[id] = account
            return true
        }
    }

    private let state = Mutex(State())

    public init() {}

    public func insertToken(
        name: String, scopes: Set<AccessScope>, digest: String, at date: Date, accountID: Int64?
    ) async throws -> AccessToken {
        try state.withLock { state in
            if let accountID, state.accounts[accountID] == nil { throw AccessError.unknownAccount(id: accountID) }
            let token = AccessToken(id: state.nextID, name: name, scopes: scopes, createdAt: date, accountID: accountID)
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

    public func tokens(accountID: Int64) async throws -> [AccessToken] {
        try await tokens().filter { $0.accountID == accountID }
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

    public func insertAccount(username: String, role: Account.Role, passwordHash: String, at date: Date) async throws
        -> Account
    {
        try state.withLock { state in
            guard state.accountID(username: username) == nil else { throw AccountExistsError(username: username) }
            let account = Account(
                id: state.nextID, username: username, role: role, passwordHash: passwordHash, createdAt: date)
            state.nextID += 1
            state.accounts[account.id] = account
            return account
        }
    }

    public func account(username: String) async throws -> Account? {
        state.withLock { state in state.accountID(username: username).flatMap { state.accounts[$0] } }
    }

    public func account(id: Int64) async throws -> Account? { state.withLock { $0.accounts[id] } }

    public func accounts() async throws -> [Account] {
        state.withLock { state in state.accounts.values.sorted { $0.id < $1.id } }
    }

    public func setRole(accountID: Int64, to role: Account.Role) async throws -> Bool {
        state.withLock { $0.changeAccount(accountID) { $0.role = role } }
    }

    public func setBlurMedia(accountID: Int64, to blurMedia: Bool?) async throws -> Bool {
        state.withLock { $0.changeAccount(accountID) { $0.blurMedia = blurMedia } }
    }

    public func setPasswordHash(accountID: Int64, to passwordHash: String) async throws -> Bool {
        state.withLock { $0.changeAccount(accountID) { $0.passwordHash = passwordHash } }
    }

    public func disableAccount(id: Int64, at date: Date) async throws -> Bool {
        state.withLock { $0.changeAccount(id) { $0.disabledAt = $0.disabledAt ?? date } }
    }

    public func enableAccount(id: Int64) async throws -> Bool {
        state.withLock { $0.changeAccount(id) { $0.disabledAt = nil } }
    }
}

/// An account name that is already taken.
public struct AccountExistsError: Error, Sendable, CustomStringConvertible {
    public var username: String

    public init(username: String) { self.username = username }

    public var description: String { "an account named \(username) already exists; choose another name" }
}
