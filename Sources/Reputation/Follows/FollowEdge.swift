public import Foundation

/// One follow relation between a local user and a remote actor, both named by their `FollowAccount` key.
public struct FollowEdge: Sendable, Hashable {
    public enum Direction: String, Sendable, CaseIterable {
        /// A local user follows the remote actor (learned from the remote's `Accept{Follow}`, or imported).
        case localFollowsRemote = "local_follows_remote"
        /// The remote actor follows a local user (learned from its `Follow`).
        case remoteFollowsLocal = "remote_follows_local"
    }

    public var local: String
    public var remote: String
    /// The remote actor's host: what `domain.followed_by_local` counts by.
    public var remoteHost: String
    public var direction: Direction

    public init(local: String, remote: String, remoteHost: String, direction: Direction) {
        self.local = local
        self.remote = remote
        self.remoteHost = remoteHost
        self.direction = direction
    }

    public init(local: FollowAccount, remote: FollowAccount, direction: Direction) {
        self.init(local: local.key, remote: remote.key, remoteHost: remote.host, direction: direction)
    }
}

/// An edge with the time it was first learned.
public struct FollowRecord: Sendable, Hashable {
    public var edge: FollowEdge
    public var since: Date

    public init(edge: FollowEdge, since: Date) {
        self.edge = edge
        self.since = since
    }
}

/// One change to the graph, as learned from a delivery or an import; a store applies a batch of them in order.
public enum FollowChange: Sendable, Hashable {
    /// Adds the edge; an edge already present keeps its earlier `since`.
    case add(FollowRecord)
    case remove(FollowEdge)
}
