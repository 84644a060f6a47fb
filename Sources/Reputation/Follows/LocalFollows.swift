public import ActivityPub
public import Foundation
import Synchronization

/// The local follow graph as the assessment step uses it: signals for a delivery's sender, and what verified
/// deliveries teach it, written to the store in batches.
///
/// The whole graph (up to `capacity` edges, newest first) is read from the store when this is made, so that
/// reading signals never touches the store. Learned changes apply in memory at once and are written by
/// `flush()`, which the caller runs where it may block (the server: its writer thread, every few seconds and
/// whenever `needsFlush`; replays: at the end), never per delivery on an event loop.
public final class LocalFollows: Sendable {
    public struct Configuration: Sendable {
        /// Edges held in memory at most (see `FollowGraph`): about 400 bytes each with their indexes, so the
        /// default 500,000 is about 200 MB at worst.
        public var capacity: Int
        /// Pending changes at which `needsFlush` says a write is due.
        public var batchSize: Int

        public init(capacity: Int = 500_000, batchSize: Int = 64) {
            self.capacity = capacity
            self.batchSize = max(1, batchSize)
        }
    }

    /// The instance's own hosts, normalised: actors there are local users.
    public let localDomains: Set<String>
    public let configuration: Configuration
    /// Edges in the store when this was made, and how many of them were loaded (fewer when over `capacity`).
    public let storedEdges: Int
    public let loadedEdges: Int
    private let store: any FollowStore
    private let state: Mutex<State>
    /// Held while a batch is written, so that batches reach the store in the order they were learned.
    private let writing = Mutex<Void>(())

    /// Changes kept for the store at most while writes fail; later ones apply in memory only.
    static let maxPending = 100_000

    struct State {
        var graph: FollowGraph
        var pending: [FollowChange] = []
        var unwritten = 0
    }

    /// Loads the graph from `store`. `localDomains` are normalised as hosts (`Hostname.normalize`); ones that are
    /// not hosts are left out (validate them before, to report them).
    public init(
        store: any FollowStore, localDomains: some Sequence<String>, configuration: Configuration = Configuration()
    )
        throws
    {
        self.store = store
        self.configuration = configuration
        self.localDomains = Set(localDomains.compactMap(Self.normalizedDomain))
        var graph = FollowGraph(capacity: configuration.capacity)
        let records = try store.edges(limit: configuration.capacity)
        for record in records { graph.insert(record.edge, since: record.since) }
        loadedEdges = graph.count
        storedEdges = records.count < configuration.capacity ? records.count : try store.edgeCount()
        state = Mutex(State(graph: graph))
    }

    public func isLocal(host: String) -> Bool { localDomains.contains(host) }

    /// A configured instance domain in the form actor hosts are compared in; nil when it is not a host name.
    public static func normalizedDomain(_ domain: String) -> String? {
        let trimmed = domain.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, !trimmed.contains("/"), !trimmed.contains("@") else { return nil }
        return Hostname.normalize(trimmed)
    }

    /// The follow signals for `subject`'s sender; O(1) in the size of the graph, O(n) in its mentions.
    public func signals(for subject: Subject) -> FollowSignals {
        guard let actorID = subject.actorID, let host = subject.actorHost, !localDomains.isEmpty else { return .zero }
        var locals: [String] = []
        for mention in subject.mentions {
            guard let mentionHost = mention.host, localDomains.contains(mentionHost) else { continue }
            let key = FollowAccount(actorID: mention.href, host: mentionHost).key
            if !locals.contains(key) { locals.append(key) }
        }
        // Most senders are on hosts no local user has an edge with: then the sender's key is not needed.
        guard state.withLock({ $0.graph.hasEdges(onHost: host) }) else {
            return FollowSignals(mentionsLocal: locals.count, mentionsLocalNotFollowing: locals.count)
        }
        let sender = FollowAccount(actorID: actorID, host: host)
        return state.withLock { state in
            let graph = state.graph
            return FollowSignals(
                followedByLocal: graph.localFollowers(ofRemote: sender.key),
                followsLocal: graph.localsFollowed(byRemote: sender.key),
                mentionsLocal: locals.count,
                mentionsLocalNotFollowing: locals.count(where: {
                    !graph.follows(local: $0, remote: sender.key, remoteHost: sender.host)
                }),
                domainFollowedByLocal: graph.localFollowers(ofDomain: host))
        }
    }

    /// Learns from a delivery the instance acts on (accepted or flagged, so forwarded to it). Only a delivery
    /// whose signature verified with the activity's own actor as signer changes anything: an unverified one
    /// never creates, strengthens or removes an edge. Returns the changes that applied.
    @discardableResult
    public func learn(from activity: Activity, signature: SignatureStatus, signer: String?, at date: Date)
        -> [FollowChange]
    {
        guard signature == .verified, let signer, signer == activity.actorID, !localDomains.isEmpty else { return [] }
        let changes = FollowGraph.changes(learnedFrom: activity, at: date, isLocal: localDomains.contains)
        guard !changes.isEmpty else { return [] }
        // When the store holds edges memory does not, a change memory cannot see may still matter there.
        let partial = storedEdges > loadedEdges
        return state.withLock { state in
            var applied: [FollowChange] = []
            for change in changes {
                let full = state.graph.isFull
                guard state.graph.apply(change) || partial || full else { continue }
                applied.append(change)
                if state.pending.count < Self.maxPending { state.pending.append(change) } else { state.unwritten += 1 }
            }
            return applied
        }
    }

    /// Whether enough changes are pending that a write is due.
    public var needsFlush: Bool { state.withLock { $0.pending.count >= configuration.batchSize } }

    public var pendingChanges: Int { state.withLock { $0.pending.count } }

    /// Reads the in-memory graph: for inspection and tests.
    public func withGraph<Result>(_ body: (FollowGraph) -> Result) -> Result {
        state.withLock { body($0.graph) }
    }

    /// Writes the pending changes in one batch; on failure they are kept for the next flush and the error thrown.
    /// Blocks on the store.
    public func flush() throws {
        try writing.withLock { _ throws in
            let batch = state.withLock { state in
                defer { state.pending = [] }
                return state.pending
            }
            guard !batch.isEmpty else { return }
            do {
                try store.apply(batch)
            } catch {
                state.withLock { state in
                    state.pending = batch + state.pending
                }
                throw error
            }
        }
    }
}
