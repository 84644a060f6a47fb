public import Access
import Foundation
import Testing

extension AccessStoreConformance {
    /// Who a bearer token acts for, on every store.
    public static let principalChecks: [ConformanceCheck<any AccessStore>] = [
        ConformanceCheck("a bound token acts as its user, limited by the role and the scopes") { store in
            let access = AccessControl(store: store, cacheLifetime: .zero, passwordCost: 4)
            let carol = try await access.createAccount(username: "carol", role: .contractor, password: "pw", at: at)
            let (token, secret) = try await access.issueToken(
                name: "carol's script", scopes: [.moderate], for: carol, at: at)
            #expect(token.accountID == carol.id)
            let principal = try await #require(try access.principal(bearer: secret))
            #expect(principal.account == carol)
            #expect(principal.token == token)
            #expect(principal.via == .api)
            #expect(principal.displayName == "carol (token \(token.id))")
            #expect(principal.allows(.decide))
            #expect(
                !principal.allows(.viewPersonalData) && !principal.allows(.confirmProposals)
                    && !principal.allows(.administer))
            // The role limits an admin-scoped token too.
            let (_, adminScoped) = try await access.issueToken(name: "too wide", scopes: [.admin], for: carol, at: at)
            let wide = try await #require(try access.principal(bearer: adminScoped))
            #expect(wide.allows(.decide) && !wide.allows(.administer) && !wide.allows(.manageUsers))
            // And the scopes limit a lead: a check-only token cannot decide.
            let lead = try await access.createAccount(username: "lee", role: .lead, password: "pw", at: at)
            let (_, checkOnly) = try await access.issueToken(name: "hook", scopes: [.check], for: lead, at: at)
            #expect(try await access.principal(bearer: checkOnly)?.allows(.decide) == false)
        },
        ConformanceCheck("an unbound token acts with the role its scopes amount to") { store in
            let access = AccessControl(store: store, cacheLifetime: .zero)
            let (_, check) = try await access.issueToken(name: "hook", scopes: [.check], at: at)
            let (_, moderate) = try await access.issueToken(name: "bot", scopes: [.moderate], at: at)
            let checker = try await #require(try access.principal(bearer: check))
            #expect(checker.account == nil && checker.allows(.check) && !checker.allows(.decide))
            let moderator = try await #require(try access.principal(bearer: moderate))
            #expect(moderator.allows(.decide) && !moderator.allows(.check) && !moderator.allows(.administer))
            #expect(try await access.principal(bearer: "hw_nothing") == nil)
        },
        ConformanceCheck("a disabled user's tokens stop working, and work again once enabled") { store in
            let access = AccessControl(store: store, cacheLifetime: .seconds(3600), passwordCost: 4)
            let mo = try await access.createAccount(username: "mo", role: .moderator, password: "pw", at: at)
            let (_, secret) = try await access.issueToken(name: "mo's", scopes: [.moderate], for: mo, at: at)
            #expect(try await access.principal(bearer: secret) != nil)
            // Through this instance: at once, whatever the cache lifetime.
            try await access.disable(mo, at: at)
            #expect(try await access.principal(bearer: secret) == nil)
            #expect(try await access.authenticate(secret: secret) == nil)
            try await access.enable(mo)
            #expect(try await access.principal(bearer: secret)?.account?.disabledAt == nil)
            // Through the store (another process, such as `herdwatch user disable`): once the cache lifetime is over.
            let other = AccessControl(store: store, cacheLifetime: .zero)
            #expect(try await other.principal(bearer: secret) != nil)
            #expect(try await store.disableAccount(id: mo.id, at: at))
            #expect(try await other.principal(bearer: secret) == nil)
            #expect(try await access.principal(bearer: secret) != nil, "cached for this instance's lifetime of an hour")
        },
        ConformanceCheck("a role change applies to the user's tokens") { store in
            let access = AccessControl(store: store, cacheLifetime: .seconds(3600), passwordCost: 4)
            let ann = try await access.createAccount(username: "ann", role: .contractor, password: "pw", at: at)
            let (_, secret) = try await access.issueToken(name: "ann's", scopes: [.admin], for: ann, at: at)
            #expect(try await access.principal(bearer: secret)?.allows(.administer) == false)
            try await access.setRole(.admin, for: ann)
            #expect(try await access.principal(bearer: secret)?.allows(.administer) == true)
        },
    ]
}
