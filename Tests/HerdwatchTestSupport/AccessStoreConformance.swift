public import Access
import Foundation
import Testing

/// What every `AccessStore` implementation must do, directly and under `AccessControl`.
public enum AccessStoreConformance {
    /// Whole seconds, which every store keeps exactly.
    static let at = Date(timeIntervalSince1970: 1_700_000_000)

    public static let checks: [ConformanceCheck<any AccessStore>] = [
        ConformanceCheck("a token is stored by its digest and found by it") { store in
            let token = try await store.insertToken(name: "hook", scopes: [.check, .moderate], digest: "d1", at: at)
            #expect(token.name == "hook")
            #expect(token.scopes == [.check, .moderate])
            #expect(token.createdAt == at)
            #expect(token.revokedAt == nil)
            #expect(try await store.token(digest: "d1") == token)
            #expect(try await store.token(digest: "d2") == nil)
        },
        ConformanceCheck("every set of scopes comes back as it went in") { store in
            let sets: [Set<AccessScope>] = [[], [.check], [.moderate], [.admin], Set(AccessScope.allCases)]
            for (index, scopes) in sets.enumerated() {
                _ = try await store.insertToken(name: "t\(index)", scopes: scopes, digest: "scopes-\(index)", at: at)
            }
            for (index, scopes) in sets.enumerated() {
                #expect(try await store.token(digest: "scopes-\(index)")?.scopes == scopes, "token t\(index)")
            }
        },
        ConformanceCheck("tokens list in the order they were made, with distinct ids") { store in
            #expect(try await store.tokens().isEmpty)
            var made: [AccessToken] = []
            for name in ["first", "second", "third"] {
                made.append(try await store.insertToken(name: name, scopes: [.check], digest: "list-\(name)", at: at))
            }
            #expect(Set(made.map(\.id)).count == 3)
            #expect(try await store.tokens() == made)
        },
        ConformanceCheck("revoking keeps the token, dated by the first revocation") { store in
            let kept = try await store.insertToken(name: "kept", scopes: [.check], digest: "kept", at: at)
            let revoked = try await store.insertToken(name: "revoked", scopes: [.admin], digest: "revoked", at: at)
            #expect(try await store.revokeToken(id: revoked.id, at: at.addingTimeInterval(10)))
            #expect(try await store.revokeToken(id: revoked.id, at: at.addingTimeInterval(20)))
            let stored = try await #require(try store.token(digest: "revoked"))
            #expect(stored.revokedAt == at.addingTimeInterval(10))
            #expect(!stored.grants(.admin))
            #expect(try await store.token(digest: "kept") == kept)
            #expect(try await store.tokens().map(\.id) == [kept.id, revoked.id])
            #expect(try await !store.revokeToken(id: 9999, at: at))
        },
        ConformanceCheck("accounts are unique by name") { store in
            #expect(try await store.accountCount() == 0)
            let admin = try await store.insertAccount(username: "admin", role: .admin, passwordHash: "hash-a", at: at)
            let moderator = try await store.insertAccount(username: "mo", role: .moderator, passwordHash: "hash-m", at: at)
            #expect(admin.id != moderator.id)
            #expect(try await store.account(username: "admin") == admin)
            #expect(try await store.account(username: "mo")?.role == .moderator)
            #expect(try await store.account(username: "nobody") == nil)
            await #expect(throws: AccountExistsError.self) {
                try await store.insertAccount(username: "admin", role: .moderator, passwordHash: "other", at: at)
            }
            #expect(try await store.accountCount() == 2)
            #expect(try await store.account(username: "admin")?.passwordHash == "hash-a")
        },
        ConformanceCheck("accounts are found by id and listed oldest first") { store in
            #expect(try await store.accounts().isEmpty)
            let first = try await store.insertAccount(username: "first", role: .lead, passwordHash: "h1", at: at)
            let second = try await store.insertAccount(username: "second", role: .contractor, passwordHash: "h2", at: at)
            #expect(try await store.accounts() == [first, second])
            #expect(try await store.account(id: second.id) == second)
            #expect(try await store.account(id: second.id + 100) == nil)
            #expect(first.disabledAt == nil)
        },
        ConformanceCheck("an account's role, password hash and disabled state change, and nothing else does") { store in
            let alice = try await store.insertAccount(username: "alice", role: .contractor, passwordHash: "old", at: at)
            let bob = try await store.insertAccount(username: "bob", role: .moderator, passwordHash: "bob's", at: at)
            #expect(try await store.setRole(accountID: alice.id, to: .lead))
            #expect(try await store.setPasswordHash(accountID: alice.id, to: "new"))
            #expect(try await store.disableAccount(id: alice.id, at: at.addingTimeInterval(10)))
            #expect(try await store.disableAccount(id: alice.id, at: at.addingTimeInterval(20)))
            var expected = alice
            expected.role = .lead
            expected.passwordHash = "new"
            expected.disabledAt = at.addingTimeInterval(10)
            #expect(try await store.account(username: "alice") == expected)
            #expect(try await store.account(id: bob.id) == bob)
            #expect(try await store.enableAccount(id: alice.id))
            #expect(try await store.account(id: alice.id)?.disabledAt == nil)
            let missing = alice.id + bob.id + 100
            #expect(try await !store.setRole(accountID: missing, to: .admin))
            #expect(try await !store.setPasswordHash(accountID: missing, to: "x"))
            #expect(try await !store.disableAccount(id: missing, at: at))
            #expect(try await !store.enableAccount(id: missing))
            #expect(try await store.accounts().map(\.username) == ["alice", "bob"])
        },
        ConformanceCheck("a token can be bound to an account, and only to one that exists") { store in
            let alice = try await store.insertAccount(username: "alice", role: .contractor, passwordHash: "h", at: at)
            let bob = try await store.insertAccount(username: "bob", role: .moderator, passwordHash: "h", at: at)
            let own = try await store.insertToken(name: "hook", scopes: [.check], digest: "own", at: at)
            let script = try await store.insertToken(name: "script", scopes: [.moderate], digest: "a1", at: at, accountID: alice.id)
            let other = try await store.insertToken(name: "other", scopes: [.moderate], digest: "b1", at: at, accountID: bob.id)
            let second = try await store.insertToken(name: "second", scopes: [.check], digest: "a2", at: at, accountID: alice.id)
            #expect(own.accountID == nil)
            #expect(script.accountID == alice.id)
            #expect(try await store.token(digest: "a1") == script)
            #expect(try await store.token(digest: "own")?.accountID == nil)
            #expect(try await store.tokens(accountID: alice.id) == [script, second])
            #expect(try await store.tokens(accountID: bob.id) == [other])
            #expect(try await store.tokens().map(\.id) == [own.id, script.id, other.id, second.id])
            let missing = alice.id + bob.id + 100
            await #expect(throws: AccessError(.unknownAccount, "there is no account with id \(missing); see `herdwatch user list`")) {
                try await store.insertToken(name: "orphan", scopes: [.check], digest: "orphan", at: at, accountID: missing)
            }
            #expect(try await store.token(digest: "orphan") == nil)
            #expect(try await store.tokens(accountID: missing).isEmpty)
        },
        ConformanceCheck("a secret authenticates its token until it is revoked") { store in
            let access = AccessControl(store: store, cacheLifetime: .zero)
            let (token, secret) = try await access.issueToken(name: "hook", scopes: [.check], at: at)
            #expect(secret.hasPrefix(TokenSecret.prefix))
            #expect(try await store.token(digest: TokenSecret.digest(secret)) == token)
            let authenticated = try await #require(try access.authenticate(secret: secret))
            #expect(authenticated.id == token.id)
            #expect(authenticated.grants(.check))
            #expect(!authenticated.grants(.moderate) && !authenticated.grants(.admin))
            #expect(try await access.authenticate(secret: secret + "x") == nil)
            #expect(try await access.authenticate(secret: "hw_unknown") == nil)
            #expect(try await store.revokeToken(id: token.id, at: at))
            #expect(try await access.authenticate(secret: secret) == nil)
        },
        ConformanceCheck("the first start makes one admin, with a password and an admin token") { store in
            let access = AccessControl(store: store, cacheLifetime: .zero)
            let first = try await #require(try access.bootstrapAdmin(at: at))
            #expect(first.account.role == .admin)
            #expect(PasswordHash.verify(first.password, against: first.account.passwordHash))
            #expect(try await access.authenticate(secret: first.tokenSecret)?.grants(.admin) == true)
            #expect(try await access.bootstrapAdmin(at: at) == nil)
            #expect(try await store.accountCount() == 1)
        },
    ]
}
