import Synchronization

/// `BlocklistStore` in memory, for tests and file-based commands.
public final class InMemoryBlocklistStore: BlocklistStore {
    struct State {
        var blocks: [String: DomainBlock] = [:]
        var subscriptions: [String: [DomainBlock]] = [:]
        var settings: [String: BlocklistSubscription] = [:]
        var dismissals: Set<DraftDismissal> = []
        var batches: [BlocklistBatch] = []
    }

    let state = Mutex(State())

    public init(_ blocks: [DomainBlock] = []) {
        state.withLock { state in
            for block in blocks { state.blocks[block.domain] = block }
        }
    }

    public func blocks() async throws -> [DomainBlock] {
        state.withLock { $0.blocks.values.sorted { $0.domain.utf8.lexicographicallyPrecedes($1.domain.utf8) } }
    }

    public func block(domain: String) async throws -> DomainBlock? {
        state.withLock { $0.blocks[domain] }
    }

    @discardableResult
    public func save(_ block: DomainBlock) async throws -> DomainBlock {
        state.withLock { state in
            var stored = block
            if let existing = state.blocks[block.domain] { stored.revision = existing.revision + 1 }
            state.blocks[block.domain] = stored
            return stored
        }
    }

    @discardableResult
    public func retract(domain: String, provenance: BlockProvenance) async throws -> DomainBlock? {
        state.withLock { state in
            guard var block = state.blocks[domain], block.state == .active else { return nil }
            block.state = .retracted
            block.revision += 1
            block.provenance = provenance
            state.blocks[domain] = block
            return block
        }
    }

    public func subscriptionEntries(id: String) async throws -> [DomainBlock] {
        state.withLock { $0.subscriptions[id] ?? [] }
    }

    public func saveSubscriptionEntries(id: String, _ entries: [DomainBlock]) async throws {
        state.withLock { $0.subscriptions[id] = entries }
    }

    public func subscriptions() async throws -> [BlocklistSubscription] {
        state.withLock { $0.settings.values.sorted { $0.id < $1.id } }
    }

    public func subscription(id: String) async throws -> BlocklistSubscription? {
        state.withLock { $0.settings[id] }
    }

    public func saveSubscription(_ subscription: BlocklistSubscription) async throws {
        state.withLock { $0.settings[subscription.id] = subscription }
    }

    @discardableResult
    public func removeSubscription(id: String) async throws -> Bool {
        state.withLock { state in
            state.subscriptions[id] = nil
            return state.settings.removeValue(forKey: id) != nil
        }
    }
}
