public import Foundation
public import Reputation
import Testing

/// What every `FollowStore` implementation must do.
public enum FollowStoreConformance {
    public static let date = Date(timeIntervalSince1970: 1_760_000_000)

    public static func edge(_ local: String, _ remote: String, _ direction: FollowEdge.Direction = .localFollowsRemote)
        -> FollowEdge
    {
        FollowEdge(local: FollowAccount(address: local)!, remote: FollowAccount(address: remote)!, direction: direction)
    }

    public static let checks: [ConformanceCheck<any FollowStore>] = [
        .blocking("changes apply in order and an edge keeps its first date") { store in
            let a = edge("alice@our.example", "bob@remote.example")
            let b = edge("alice@our.example", "bob@remote.example", .remoteFollowsLocal)
            let c = edge("carol@our.example", "dan@other.example")
            try store.apply([
                .add(FollowRecord(edge: a, since: date)), .add(FollowRecord(edge: b, since: date + 1)),
                .add(FollowRecord(edge: c, since: date + 2)), .remove(b),
                .add(FollowRecord(edge: a, since: date + 10)),
            ])
            #expect(try store.edgeCount() == 2)
            #expect(
                try store.edges(limit: 10) == [
                    FollowRecord(edge: c, since: date + 2), FollowRecord(edge: a, since: date),
                ],
                "newest first; re-adding keeps the first date")
            #expect(try store.edges(limit: 1).map(\.edge) == [c])
            try store.apply([.remove(a), .remove(a)])
            #expect(try store.edges(limit: 10).map(\.edge) == [c])
        },
        .blocking("an empty store has no edges and dates round-trip exactly") { store in
            #expect(try store.edgeCount() == 0)
            #expect(try store.edges(limit: 10).isEmpty)
            try store.apply([])
            let since = Date(timeIntervalSince1970: 1_760_000_000.123_456)
            let record = FollowRecord(
                edge: edge("alice@our.example", "eve@far.example", .remoteFollowsLocal), since: since)
            try store.apply([.add(record)])
            #expect(try store.edges(limit: 10) == [record])
            #expect(try store.edges(limit: 0).isEmpty)
        },
    ]
}
