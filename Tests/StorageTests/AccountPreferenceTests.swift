import Access
import Foundation
import HerdwatchTestSupport
import Testing

@testable import Storage

@Suite("Account preferences")
struct AccountPreferenceTests {
    @Test(arguments: StoreKind.allCases)
    func blurMediaIsStoredWithTheAccount(kind: StoreKind) async throws {
        let (store, cleanup) = try kind.accessStore()
        defer { cleanup() }
        let account = try await store.insertAccount(
            username: "mo", role: .moderator, passwordHash: "-", at: Date(timeIntervalSince1970: 1_700_000_000))
        #expect(account.blurMedia == nil)
        for value in [false, true, nil] as [Bool?] {
            #expect(try await store.setBlurMedia(accountID: account.id, to: value))
            #expect(try await store.account(id: account.id)?.blurMedia == value)
            #expect(try await store.account(username: "mo")?.blurMedia == value)
        }
        #expect(try await !store.setBlurMedia(accountID: account.id + 100, to: false))
    }
}
