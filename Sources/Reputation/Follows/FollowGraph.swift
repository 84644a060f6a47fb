public import Foundation

/// The local follow graph: who among our users follows whom elsewhere, and who elsewhere follows them, with the
/// counts rules read kept up to date on every change, so that reading them is a dictionary lookup.
///
/// Bounded: it holds at most `capacity` edges (an edge costs a few hundred bytes with its indexes); past that,
/// new edges are refused (`insert` returns false) and counted in `refused`, removals still apply.
public struct FollowGraph: Sendable {
    public let capacity: Int
    private var edges: [FollowEdge: Date] = [:]
    /// Remote key → local users following it.
    private var followersOfRemote: [String: Int] = [:]
    /// Remote key → local users it follows.
    private var followedByRemote: [String: Int] = [:]
    /// Remote host → local user → how many of the host's actors that user follows.
    private var followersOfDomain: [String: [String: Int]] = [:]
    /// Remote host → edges with an actor there, either way: a sender on a host without any needs no more lookups.
    private var edgesByHost: [String: Int] = [:]
    /// Edges refused because the graph was full.
    public private(set) var refused = 0

    public init(capacity: Int = 500_000) {
        self.capacity = max(0, capacity)
    }

    public var count: Int { edges.count }
    public var isFull: Bool { edges.count >= capacity }

    public func contains(_ edge: FollowEdge) -> Bool { edges[edge] != nil }

    public func since(_ edge: FollowEdge) -> Date? { edges[edge] }

    /// Local users following the remote account `key`.
    public func localFollowers(ofRemote key: String) -> Int { followersOfRemote[key] ?? 0 }

    /// Local users the remote account `key` follows.
    public func localsFollowed(byRemote key: String) -> Int { followedByRemote[key] ?? 0 }

    /// Distinct local users following any account on `host`.
    public func localFollowers(ofDomain host: String) -> Int { followersOfDomain[host]?.count ?? 0 }

    /// Whether any edge, either way, has an actor on `host`.
    public func hasEdges(onHost host: String) -> Bool { edgesByHost[host] != nil }

    /// Whether the local user `local` follows the remote account `remote`.
    public func follows(local: String, remote: String, remoteHost: String) -> Bool {
        edges[FollowEdge(local: local, remote: remote, remoteHost: remoteHost, direction: .localFollowsRemote)] != nil
    }

    /// Adds an edge learned at `since`; false when it is already there (it keeps its earlier date) or the graph
    /// is full.
    @discardableResult
    public mutating func insert(_ edge: FollowEdge, since: Date) -> Bool {
        guard edges[edge] == nil else { return false }
        guard !isFull else {
            refused += 1
            return false
        }
        edges[edge] = since
        edgesByHost[edge.remoteHost, default: 0] += 1
        switch edge.direction {
        case .localFollowsRemote:
            followersOfRemote[edge.remote, default: 0] += 1
            followersOfDomain[edge.remoteHost, default: [:]][edge.local, default: 0] += 1
        case .remoteFollowsLocal:
            followedByRemote[edge.remote, default: 0] += 1
        }
        return true
    }

    /// Removes an edge; false when it was not there.
    @discardableResult
    public mutating func remove(_ edge: FollowEdge) -> Bool {
        guard edges.removeValue(forKey: edge) != nil else { return false }
        Self.decrement(&edgesByHost, edge.remoteHost)
        switch edge.direction {
        case .localFollowsRemote:
            Self.decrement(&followersOfRemote, edge.remote)
            if var locals = followersOfDomain[edge.remoteHost] {
                Self.decrement(&locals, edge.local)
                followersOfDomain[edge.remoteHost] = locals.isEmpty ? nil : locals
            }
        case .remoteFollowsLocal:
            Self.decrement(&followedByRemote, edge.remote)
        }
        return true
    }

    /// Applies a change; true when it changed the graph.
    @discardableResult
    public mutating func apply(_ change: FollowChange) -> Bool {
        switch change {
        case .add(let record): insert(record.edge, since: record.since)
        case .remove(let edge): remove(edge)
        }
    }

    private static func decrement(_ counts: inout [String: Int], _ key: String) {
        guard let count = counts[key] else { return }
        counts[key] = count > 1 ? count - 1 : nil
    }
}
