public import Blocklists
import Synchronization

/// The applied domain blocks as the server uses them: a `BlockIndex` for the inbox path and the admin API's
/// id-ordered view, rebuilt from the store after every change and swapped in whole, so a lookup never waits on
/// the store or on a rebuild. Changes made through the admin API call `refresh()` themselves; changes made by
/// another process on the database file (`herdwatch blocklist import`) are picked up by `BlocklistRefreshService`.
public final class AppliedBlocklist: Sendable {
    /// One consistent view of the applied list.
    public struct Snapshot: Sendable {
        /// Active entries, for the gate.
        public let index: BlockIndex
        /// Active entries by admin API id, highest first (Mastodon lists `id desc`).
        public let byID: [(id: Int64, block: DomainBlock)]
        /// Every entry's revision summed with their count: changes whenever any entry does.
        let version: Int

        init(_ blocks: [DomainBlock], policy: DomainPolicy) {
            let active = blocks.filter { $0.state == .active }
            index = BlockIndex(active, policy: policy)
            byID = active.map { (AppliedBlocklist.id(of: $0.domain), $0) }.sorted { $0.id > $1.id }
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
    private let current: Mutex<Snapshot>
    /// Serialises refreshes, so that an older read never replaces a newer one.
    private let refreshing = Mutex<Int>(0)

    /// Starts empty; call `refresh()` before serving.
    public init(store: any BlocklistStore, policy: DomainPolicy = .unrestricted) {
        self.store = store
        self.policy = policy
        current = Mutex(Snapshot([], policy: policy))
    }

    /// The view to use now.
    public var snapshot: Snapshot {
        current.withLock { $0 }
    }

    /// Reads the store and swaps the new view in. Returns whether anything changed.
    @discardableResult
    public func refresh() async throws -> Bool {
        let ticket = refreshing.withLock { value -> Int in
            value += 1
            return value
        }
        let blocks = try await store.blocks()
        let version = Snapshot.version(of: blocks)
        if version == snapshot.version { return false }
        let next = Snapshot(blocks, policy: policy)
        // A refresh that started later has already swapped in a newer view.
        guard refreshing.withLock({ $0 == ticket }) else { return true }
        current.withLock { $0 = next }
        return true
    }

    /// The admin API's id for `domain`: the first 60 bits of its SHA-256 digest (Mastodon's `digest`), so every
    /// store, process and restart gives an entry the same id without storing one.
    public static func id(of domain: String) -> Int64 {
        Int64(BlockDomain.digest(domain).prefix(15), radix: 16)!
    }
}
