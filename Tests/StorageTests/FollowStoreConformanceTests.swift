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
    static let date = Date(timeIntervalSince1970: 1_760_000_000)

    static func edge(_ local: String, _ remote: String, _ direction: FollowEdge.Direction = .localFollowsRemote)
        -> FollowEdge
    {
        FollowEdge(local: FollowAccount(address: local)!, remote: FollowAccount(address: remote)!, direction: direction)
    }

    func withStore(_ kind: StoreKind, _ body: (any FollowStore) throws -> Void) throws {
        switch kind {
        case .memory:
            try body(InMemoryFollowStore())
        case .sqlite:
            let path = temporaryDatabasePath()
            defer { removeDatabase(at: path) }
            try body(SQLiteFollowStore(database: try SQLiteDatabase(path: path)))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func changesApplyInOrderAndAnEdgeKeepsItsFirstDate(kind: StoreKind) throws {
        try withStore(kind) { store in
            let a = Self.edge("alice@our.example", "bob@remote.example")
            let b = Self.edge("alice@our.example", "bob@remote.example", .remoteFollowsLocal)
            let c = Self.edge("carol@our.example", "dan@other.example")
            try store.apply([
                .add(FollowRecord(edge: a, since: Self.date)), .add(FollowRecord(edge: b, since: Self.date + 1)),
                .add(FollowRecord(edge: c, since: Self.date + 2)), .remove(b),
                .add(FollowRecord(edge: a, since: Self.date + 10)),
            ])
            #expect(try store.edgeCount() == 2)
            #expect(
                try store.edges(limit: 10) == [
                    FollowRecord(edge: c, since: Self.date + 2), FollowRecord(edge: a, since: Self.date),
                ],
                "newest first; re-adding keeps the first date")
            #expect(try store.edges(limit: 1).map(\.edge) == [c])
            try store.apply([.remove(a), .remove(a)])
            #expect(try store.edges(limit: 10).map(\.edge) == [c])
        }
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
