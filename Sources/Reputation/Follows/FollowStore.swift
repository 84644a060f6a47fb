import Foundation
import Synchronization

/// Where the follow graph lives between runs. The SQLite implementation is in the `Storage` target; both pass
/// the same conformance tests.
public protocol FollowStore: Sendable {
    /// Up to `limit` edges, newest first: what `LocalFollows` loads at start.
    func edges(limit: Int) throws -> [FollowRecord]
    /// Applies `changes` in order, all or none (one transaction on SQLite). Adding an edge already stored keeps
    /// its earlier `since`.
    func apply(_ changes: [FollowChange]) throws
    /// How many edges are stored.
    func edgeCount() throws -> Int
}

/// A `FollowStore` in memory, for tests and replays without a database.
public final class InMemoryFollowStore: FollowStore {
    private let records = Mutex<[FollowEdge: Date]>([:])

    public init() {}

    public func edges(limit: Int) throws -> [FollowRecord] {
        records.withLock { records in
            records.map { FollowRecord(edge: $0.key, since: $0.value) }
                .sorted { ($0.since, $0.edge.local, $0.edge.remote) > ($1.since, $1.edge.local, $1.edge.remote) }
                .prefix(max(0, limit)).map { $0 }
        }
    }

    public func apply(_ changes: [FollowChange]) throws {
        records.withLock { records in
            for change in changes {
                switch change {
                case .add(let record): if records[record.edge] == nil { records[record.edge] = record.since }
                case .remove(let edge): records[edge] = nil
                }
            }
        }
    }

    public func edgeCount() throws -> Int {
        records.withLock { $0.count }
    }
}
