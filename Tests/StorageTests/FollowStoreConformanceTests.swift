import ActivityPub
import Foundation
import GRDB
import HerdwatchTestSupport
import Reputation
import Storage
import Testing

/// What every `FollowStore` must do, on each implementation.
@Suite("FollowStore conformance")
struct FollowStoreConformanceTests {
    static let date = FollowStoreConformance.date

    static func edge(_ local: String, _ remote: String, _ direction: FollowEdge.Direction = .localFollowsRemote)
        -> FollowEdge
    {
        FollowStoreConformance.edge(local, remote, direction)
    }

    @Test(arguments: StoreKind.allCases, FollowStoreConformance.checks)
    func conforms(kind: StoreKind, check: ConformanceCheck<any FollowStore>) async throws {
        let (store, cleanup) = try kind.followStore()
        defer { cleanup() }
        try await check.run(on: store)
    }

    @Test func sqliteAppliesABatchAllOrNothing() throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(at: path) }
        let store = SQLiteFollowStore(database: try SQLiteDatabase(path: path))
        try store.apply([
            .add(FollowRecord(edge: Self.edge("alice@our.example", "bob@remote.example"), since: Self.date))
        ])
        // A trigger refuses one row, so the batch that holds it fails midway.
        try DatabaseQueue(path: path).write { db in
            try db.execute(
                sql: """
                    CREATE TRIGGER refuse BEFORE INSERT ON follow_edge WHEN NEW.remote = 'bad@remote.example'
                    BEGIN SELECT RAISE(ABORT, 'refused'); END
                    """)
        }
        #expect(throws: (any Error).self) {
            try store.apply([
                .remove(Self.edge("alice@our.example", "bob@remote.example")),
                .add(FollowRecord(edge: Self.edge("carol@our.example", "dan@remote.example"), since: Self.date)),
                .add(FollowRecord(edge: Self.edge("carol@our.example", "bad@remote.example"), since: Self.date)),
            ])
        }
        #expect(try store.edges(limit: 10).map(\.edge) == [Self.edge("alice@our.example", "bob@remote.example")])
    }

    @Test func edgesSurviveReopeningAndLoadIntoTheGraph() throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(at: path) }
        do {
            let follows = try LocalFollows(
                store: SQLiteFollowStore(database: try SQLiteDatabase(path: path)), localDomains: ["our.example"])
            let bob = "https://remote.example/users/bob"
            let accept = try Activity.decode(
                Array(
                    #"{"id":"\#(bob)#a","type":"Accept","actor":"\#(bob)","object":{"type":"Follow","actor":"https://our.example/users/alice","object":"\#(bob)"}}"#
                        .utf8))
            follows.learn(from: accept, signature: .verified, signer: bob, at: Self.date)
            try follows.flush()
        }
        let reopened = try LocalFollows(
            store: SQLiteFollowStore(database: try SQLiteDatabase(path: path)), localDomains: ["our.example"])
        #expect(reopened.withGraph { $0.localFollowers(ofRemote: "bob@remote.example") } == 1)
    }
}
