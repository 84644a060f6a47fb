public import Blocklists
public import Intake
import Synchronization

/// The applied domain blocks as the server uses them: a `BlockIndex` for the inbox path and the admin API's
/// id-ordered view, rebuilt from the store after every change and swapped in whole, so a lookup never waits on
/// the store or on a rebuild. Changes made through the admin API call `refresh()` themselves; changes made by
/// another process on the database file (`herdwatch blocklist import`) are picked up by `BlocklistRefreshService`.
public final class AppliedBlocklist: DomainBlockLookup {
    /// One consistent view of the applied list; a class, so taking it is one reference count, not one per array.
    public final class Snapshot: Sendable {
        /// Active entries, for the gate.
        public let index: BlockIndex
        /// Active entries by admin API id, highest first (Mastodon lists `id desc`).
        public let byID: [(id: Int64, block: DomainBlock)]
        /// What subscribed lists carry (applied or not), for `domain.peer_listed`.
        public let peers: BlockIndex
        /// Every entry's revision summed with their count: changes whenever any entry does.
        let version: Int

        init(_ blocks: [DomainBlock], peers: [DomainBlock], policy: DomainPolicy) {
            let active = blocks.filter { $0.state == .active }
            index = BlockIndex(active, policy: policy)
            byID = active.map { (AppliedBlocklist.id(of: $0.domain), $0) }.sorted { $0.id > $1.id }
            self.peers = BlockIndex(peers.filter { $0.severity != .noop && $0.state == .active }, policy: policy)
            version = Self.version(of: blocks)
        }

        static func version(of blocks: [DomainBlock]) -> Int {
            blocks.reduce(blocks.count) { $0 &+ $1.revision }
        }

        /// The position in `byID` of the entry with `id`.
        public func position(of id: Int64) -> Int? {
            var low = 0
            var high = byID.count
            while low < high {
                let middle = (low + high) / 2
                if byID[middle].id == id { return middle }
                if byID[middle].id > id { low = middle + 1 } else { high = middle }
            }
            return nil
        }
    }

    public let store: any BlocklistStore
    public let policy: DomainPolicy
    /// Every entry the subscriptions carry; nil when there are none.
    private let subscribed: (@Sendable () async throws -> [DomainBlock])?
    private let current: Mutex<Snapshot>
    /// Serialises refreshes, so that an older read never replaces a newer one.
    private let refreshing = Mutex<Int>(0)

    /// Starts empty; call `refresh()` before serving.
    public init(
        store: any BlocklistStore, policy: DomainPolicy = .unrestricted,
        subscribed: (@Sendable () async throws -> [DomainBlock])? = nil
    ) {
        self.store = store
        self.policy = policy
        self.subscribed = subscribed
        current = Mutex(Snapshot([], peers: [], policy: policy))
    }

    /// The view to use now.
    public var snapshot: Snapshot {
        current.withLock { $0 }
    }

    /// Reads the store and swaps the new view in. Returns whether the applied entries changed (subscriptions
    /// are read again every time).
    @discardableResult
    public func refresh() async throws -> Bool {
        let ticket = refreshing.withLock { value -> Int in
            value += 1
            return value
        }
        let blocks = try await store.blocks()
        let peers = try await subscribed?() ?? []
        let changed = Snapshot.version(of: blocks) != snapshot.version
        let next = Snapshot(blocks, peers: peers, policy: policy)
        // A refresh that started later has already swapped in a newer view.
        guard refreshing.withLock({ $0 == ticket }) else { return changed }
        current.withLock { $0 = next }
        return changed
    }

    /// The lookup the assessment makes before any rule runs: two `BlockIndex` probes, no allocation.
    public func status(of host: String) -> DomainBlockStatus {
        let snapshot = snapshot
        return DomainBlockStatus(
            block: snapshot.index.rule(for: host),
            peerListed: snapshot.peers.count > 0 && snapshot.peers.entryIndex(covering: host) != nil)
    }

    /// The admin API's id for `domain`: the first 60 bits of its SHA-256 digest (Mastodon's `digest`), so every
    /// store, process and restart gives an entry the same id without storing one.
    public static func id(of domain: String) -> Int64 {
        Int64(BlockDomain.digest(domain).prefix(15), radix: 16)!
    }
}
