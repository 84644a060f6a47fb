/// Runs the per-item work of a replay that does not depend on order (decoding, normalising, folding,
/// fingerprinting) on worker tasks, a batch ahead of the work that must see items in order.
///
/// While `consume` handles batch *n* on the calling task, batch *n + 1* is prepared in `workers` chunks on
/// child tasks, so a replay uses every core and `consume` still sees every item in stream order: results are
/// the same as preparing and consuming one item at a time.
public enum ReplayPipeline {
    /// - Parameters:
    ///   - workers: chunks each batch is prepared in (at least 1).
    ///   - next: the next batch of raw items, or `nil` (or an empty batch) at the end; called on the calling task.
    ///   - prepare: the order-independent work for one item; called on child tasks.
    ///   - consume: the in-order work for one prepared batch; called in order on the calling task.
    public static func run<Item: Sendable, Prepared: Sendable>(
        workers: Int,
        next: () throws -> [Item]?,
        prepare: @escaping @Sendable (Item) -> Prepared,
        consume: ([Prepared]) async throws -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: (chunk: Int, prepared: [Prepared]).self) { group in
            func start(_ batch: [Item]) -> Int {
                let size = max(1, (batch.count + max(1, workers) - 1) / max(1, workers))
                var chunks = 0
                for first in stride(from: 0, to: batch.count, by: size) {
                    let chunk = Array(batch[first..<min(first + size, batch.count)])
                    let index = chunks
                    group.addTask { (index, chunk.map(prepare)) }
                    chunks += 1
                }
                return chunks
            }
            guard let first = try next() else { return }
            var inFlight = start(first)
            while inFlight > 0 {
                var parts = [[Prepared]](repeating: [], count: inFlight)
                for _ in 0..<inFlight {
                    guard let part = try await group.next() else { break }
                    parts[part.chunk] = part.prepared
                }
                inFlight = try next().map(start) ?? 0
                try await consume(parts.flatMap { $0 })
            }
        }
    }
}
