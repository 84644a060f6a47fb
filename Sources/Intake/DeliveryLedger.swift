public import Foundation
public import RuleEngine
import Synchronization

/// Deliveries assessed by every node that shares a database, so a sender's retry that reaches another node gets the
/// first node's verdict and is not counted twice in reputation.
///
/// The assessor asks it after its own memory of recent deliveries (which catches a retry to the same node
/// without a round trip), and tells it each verdict it acted on. It is a record of verdicts, not a lock: two copies
/// of one delivery assessed on two nodes at the same instant are both assessed, as they would be by one node that
/// forgot. Entries older than the retention are dropped by ``forget(before:)``.
public protocol DeliveryLedger: Sendable {
    /// The verdict an earlier assessment of this delivery reached, or nil.
    func verdict(for key: DeliveryKey) async throws -> Verdict?
    /// Records the verdict reached for this delivery; the first one recorded stays.
    func remember(_ verdict: Verdict, for key: DeliveryKey, at date: Date) async throws
    /// Drops what was recorded before `date`; returns how many entries went.
    func forget(before date: Date) async throws -> Int
}

/// A ledger in memory: for tests, and for one process whose assessors share it.
public final class InMemoryDeliveryLedger: DeliveryLedger {
    private let entries = Mutex<[DeliveryKey: (verdict: Verdict, at: Date)]>([:])

    public init() {}

    public var count: Int { entries.withLock { $0.count } }

    public func verdict(for key: DeliveryKey) async throws -> Verdict? {
        entries.withLock { $0[key]?.verdict }
    }

    public func remember(_ verdict: Verdict, for key: DeliveryKey, at date: Date) async throws {
        entries.withLock { entries in
            if entries[key] == nil { entries[key] = (verdict, date) }
        }
    }

    public func forget(before date: Date) async throws -> Int {
        entries.withLock { entries in
            let before = entries.count
            entries = entries.filter { $0.value.at >= date }
            return before - entries.count
        }
    }
}
