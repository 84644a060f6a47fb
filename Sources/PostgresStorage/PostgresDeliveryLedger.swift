public import Foundation
public import Intake
import PostgresNIO
public import RuleEngine
import Synchronization

/// `DeliveryLedger` on PostgreSQL (table `delivery_verdict`): every node records the verdicts it acted on, keyed by
/// the delivery's digest, so a retry that reaches another node is known as a repeat.
///
/// Every delivery asks and tells, so both are batched: the lookups that arrive while one is in flight go together in
/// the next query, and verdicts are written many to a statement by one writer at a time. A verdict not written yet
/// is answered from memory. Without the batching, a query and a commit per delivery cut the hook's throughput on
/// PostgreSQL to a third.
public final class PostgresDeliveryLedger: DeliveryLedger {
    let database: PostgreSQLDatabase
    /// The most entries one `forget` call deletes (it is called again later for the rest).
    let forgetBatch: Int

    private struct Lookup {
        /// The key as the query names it (`DeliveryKey.hex`), computed once.
        let hex: String
        let continuation: CheckedContinuation<Verdict?, any Error>
    }

    private struct State {
        var lookups: [Lookup] = []
        var looking = false
        /// Verdicts waiting for the writer, in arrival order, and by key for lookups.
        var unwritten: [(key: DeliveryKey, verdict: Verdict, encoded: String, at: Date)] = []
        var unwrittenKeys: [DeliveryKey: Verdict] = [:]
        var writing = false
    }

    private let state = Mutex(State())

    public init(database: PostgreSQLDatabase, forgetBatch: Int = 50_000) {
        self.database = database
        self.forgetBatch = max(1, forgetBatch)
    }

    public func verdict(for key: DeliveryKey) async throws -> Verdict? {
        let hex = key.hex
        return try await withCheckedThrowingContinuation { continuation in
            let leads: Bool = state.withLock { state in
                if let verdict = state.unwrittenKeys[key] {
                    continuation.resume(returning: verdict)
                    return false
                }
                state.lookups.append(Lookup(hex: hex, continuation: continuation))
                guard !state.looking else { return false }
                state.looking = true
                return true
            }
            // Unstructured on purpose: the first caller's lookup serves the ones that queue behind it, and every
            // caller waits for its answer, so the task never outlives the callers.
            if leads { Task { await self.lookUp() } }
        }
    }

    /// Answers the waiting lookups, a query at a time, until none waits.
    private func lookUp() async {
        while true {
            let batch: [Lookup] = state.withLock { state in
                let batch = state.lookups
                state.lookups.removeAll(keepingCapacity: true)
                if batch.isEmpty { state.looking = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            do {
                let found = try await stored(Array(Set(batch.map(\.hex))))
                for lookup in batch { lookup.continuation.resume(with: Result { try found[lookup.hex].map(Self.decode) }) }
            } catch {
                let failure = PostgreSQLDatabase.storeError(error, doing: "read delivery verdicts from")
                for lookup in batch { lookup.continuation.resume(throwing: failure) }
            }
        }
    }

    private func stored(_ keys: [String]) async throws -> [String: String] {
        var found: [String: String] = [:]
        let rows = try await database.client.query(
            """
            SELECT encode(key, 'hex'), verdict FROM delivery_verdict
            WHERE key = ANY (SELECT decode(k, 'hex') FROM unnest(\(keys)::text[]) AS k)
            """, logger: database.logger)
        for try await (key, verdict) in rows.decode((String, String).self) { found[key] = verdict }
        return found
    }

    private static func decode(_ stored: String) throws -> Verdict {
        do {
            return try JSONDecoder().decode(Verdict.self, from: Data(stored.utf8))
        } catch {
            // Written by another version, or damaged: assessing the delivery again is the safe answer.
            throw PostgresStoreError(code: .failed, message: "a stored delivery verdict cannot be read (\(error))")
        }
    }

    /// Queues the verdict for the writer and returns; the caller's own node knows it already.
    public func remember(_ verdict: Verdict, for key: DeliveryKey, at date: Date) async throws {
        let encoded = String(decoding: try JSONEncoder().encode(verdict), as: UTF8.self)
        let leads: Bool = state.withLock { state in
            guard state.unwrittenKeys[key] == nil else { return false }
            state.unwritten.append((key, verdict, encoded, date))
            state.unwrittenKeys[key] = verdict
            guard !state.writing else { return false }
            state.writing = true
            return true
        }
        if leads { try await write() }
    }

    /// Writes what is queued in one statement; the caller that started it waits for that one. What queued
    /// meanwhile is written by a task of its own, so no caller waits for more than one statement under load.
    private func write() async throws {
        let batch = state.withLock { state in
            let batch = state.unwritten
            state.unwritten.removeAll(keepingCapacity: true)
            return batch
        }
        defer {
            let more = state.withLock { state in
                for entry in batch { state.unwrittenKeys[entry.key] = nil }
                state.writing = !state.unwritten.isEmpty
                return state.writing
            }
            // Unstructured on purpose: the next statement's entries belong to callers that have returned.
            if more { Task { try? await self.write() } }
        }
        guard !batch.isEmpty else { return }
        do {
            try await database.client.query(
                """
                INSERT INTO delivery_verdict (key, verdict, seen_at)
                SELECT decode(k, 'hex'), v, s FROM unnest(\(batch.map(\.key.hex))::text[],
                    \(batch.map(\.encoded))::text[], \(batch.map { $0.at.timeIntervalSince1970 })::float8[]) AS t(k, v, s)
                ON CONFLICT (key) DO NOTHING
                """, logger: database.logger)
        } catch {
            throw PostgreSQLDatabase.storeError(error, doing: "record delivery verdicts in")
        }
    }

    public func forget(before date: Date) async throws -> Int {
        do {
            let rows = try await database.client.query(
                """
                WITH old AS (
                    SELECT key FROM delivery_verdict WHERE seen_at < \(date.timeIntervalSince1970) LIMIT \(forgetBatch)
                )
                DELETE FROM delivery_verdict WHERE key IN (SELECT key FROM old) RETURNING 1
                """, logger: database.logger)
            var count = 0
            for try await _ in rows.decode(Int.self) { count += 1 }
            return count
        } catch {
            throw PostgreSQLDatabase.storeError(error, doing: "drop old delivery verdicts from")
        }
    }
}
