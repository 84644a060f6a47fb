import Access
import Foundation
import GRDB
import HerdwatchTestSupport
@testable import Storage
import Testing

@Suite("AccessStore conformance")
struct AccessStoreConformanceTests {
    @Test(arguments: StoreKind.allCases, AccessStoreConformance.checks + AccessStoreConformance.principalChecks)
    func conforms(kind: StoreKind, check: ConformanceCheck<any AccessStore>) async throws {
        let (store, cleanup) = try kind.accessStore()
        defer { cleanup() }
        try await check.run(on: store)
    }
}

@Suite("SQLiteAccessStore migrations")
struct SQLiteAccessStoreMigrationTests {
    @Test func accountsAndTokensFromBeforeBindingMigrate() async throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(at: path) }
        // A database as the previous release left it: accounts could not be disabled, tokens had no account.
        let queue = try DatabaseQueue(path: path)
        try Migrations.migrator.migrate(queue, upTo: "2026-12-07-case-per-delivery")
        try await queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO account (username, role, password_hash, created_at) VALUES ('admin', 'admin', 'pbkdf2-sha256$1$AA==$AA==', 1);
                    INSERT INTO access_token (name, scopes, digest, created_at) VALUES ('hook', 'check', 'digest', 1);
                    """)
        }
        try queue.close()
        let store = SQLiteAccessStore(database: try SQLiteDatabase(path: path))
        let admin = try await #require(try store.account(username: "admin"))
        #expect(admin.disabledAt == nil)
        #expect(admin.role == .admin)
        let hook = try await #require(try store.token(digest: "digest"))
        #expect(hook.accountID == nil)
        #expect(hook.scopes == [.check])
        // The new columns work on the migrated file.
        let bound = try await store.insertToken(
            name: "script", scopes: [.moderate], digest: "d2", at: Date(timeIntervalSince1970: 2), accountID: admin.id)
        #expect(try await store.tokens(accountID: admin.id) == [bound])
        #expect(try await store.disableAccount(id: admin.id, at: Date(timeIntervalSince1970: 5)))
        #expect(try await store.account(id: admin.id)?.disabledAt == Date(timeIntervalSince1970: 5))
    }
}
