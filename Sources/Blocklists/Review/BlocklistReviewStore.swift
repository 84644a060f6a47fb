public import Foundation
import Synchronization

/// The blocklist store with what review keeps: dismissed proposals and the audited batches of applies and undos.
public protocol BlocklistReviewStore: BlocklistStore {
    /// Every dismissed proposal.
    func dismissals() async throws -> Set<DraftDismissal>

    /// Records `dismissal` (again is a no-op).
    func dismiss(_ dismissal: DraftDismissal, actor: String, at: Date) async throws

    /// In one transaction: checks every change's domain is still as expected (else throws
    /// `BlocklistReviewError.changed` naming the first that is not, writing nothing), saves each `after` as `save`
    /// does (the revision one past the stored one), and records the batch with each entry before and after.
    func applyBatch(
        _ changes: [BlocklistChange], actor: String, channel: BlocklistBatch.Channel, at: Date, undoing: Int64?
    ) async throws -> BlocklistBatch

    /// The most recent `limit` batches, newest first.
    func batches(limit: Int) async throws -> [BlocklistBatch]

    /// Batch `id`; nil when there is none.
    func batch(id: Int64) async throws -> BlocklistBatch?
}

extension BlocklistChange {
    /// The error for a change whose domain is no longer as expected.
    public var changedError: BlocklistReviewError {
        BlocklistReviewError(
            .changed,
            "the entry for \(domain) changed after this was computed; nothing was applied, reload the drafts or batches "
                + "and try again",
            domain: domain)
    }
}

extension InMemoryBlocklistStore: BlocklistReviewStore {
    public func dismissals() async throws -> Set<DraftDismissal> {
        state.withLock { $0.dismissals }
    }

    public func dismiss(_ dismissal: DraftDismissal, actor: String, at: Date) async throws {
        _ = state.withLock { $0.dismissals.insert(dismissal) }
    }

    public func applyBatch(
        _ changes: [BlocklistChange], actor: String, channel: BlocklistBatch.Channel, at: Date, undoing: Int64?
    ) async throws -> BlocklistBatch {
        try state.withLock { state throws(BlocklistReviewError) in
            for change in changes where !change.isStill(state.blocks[change.domain]) { throw change.changedError }
            var items: [BlocklistBatch.Item] = []
            for change in changes {
                let before = state.blocks[change.domain]
                var stored = change.after
                if let before { stored.revision = before.revision + 1 }
                state.blocks[change.domain] = stored
                items.append(.init(domain: change.domain, kind: change.kind, before: before, after: stored))
            }
            let batch = BlocklistBatch(
                id: Int64(state.batches.count + 1), actor: actor, at: at, channel: channel, items: items,
                undoes: undoing)
            state.batches.append(batch)
            return batch
        }
    }

    public func batches(limit: Int) async throws -> [BlocklistBatch] {
        state.withLock { Array($0.batches.suffix(limit).reversed()) }
    }

    public func batch(id: Int64) async throws -> BlocklistBatch? {
        state.withLock { state in state.batches.first { $0.id == id } }
    }
}
