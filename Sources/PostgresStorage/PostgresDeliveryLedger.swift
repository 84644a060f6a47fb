public import Foundation
public import Intake
import NIOCore
import PostgresNIO
public import RuleEngine

/// `DeliveryLedger` on PostgreSQL (table `delivery_verdict`): every node records the verdicts it acted on, keyed by
/// the delivery's digest, so a retry that reaches another node is known as a repeat.
public struct PostgresDeliveryLedger: DeliveryLedger {
    let database: PostgreSQLDatabase
    /// The most entries one `forget` call deletes (it is called again later for the rest).
    let forgetBatch: Int

    public init(database: PostgreSQLDatabase, forgetBatch: Int = 50_000) {
        self.database = database
        self.forgetBatch = max(1, forgetBatch)
    }

    public func verdict(for key: DeliveryKey) async throws -> Verdict? {
        let stored: String?
        do {
            stored = try await Self.firstString(
                try await database.client.query(
                    "SELECT verdict FROM delivery_verdict WHERE key = \(ByteBuffer(bytes: key.bytes))", logger: database.logger))
        } catch {
            throw PostgreSQLDatabase.storeError(error, doing: "read delivery verdicts from")
        }
        guard let stored else { return nil }
        do {
            return try JSONDecoder().decode(Verdict.self, from: Data(stored.utf8))
        } catch {
            // Written by another version, or damaged: assessing the delivery again is the safe answer.
            throw PostgresStoreError(
                code: .failed,
                message: "the stored verdict of delivery \(key.hex) cannot be read (\(error)); it is assessed again")
        }
    }

    public func remember(_ verdict: Verdict, for key: DeliveryKey, at date: Date) async throws {
        let encoded = String(decoding: try JSONEncoder().encode(verdict), as: UTF8.self)
        do {
            try await database.client.query(
                """
                INSERT INTO delivery_verdict (key, verdict, seen_at)
                VALUES (\(ByteBuffer(bytes: key.bytes)), \(encoded), \(date.timeIntervalSince1970))
                ON CONFLICT (key) DO NOTHING
                """, logger: database.logger)
        } catch {
            throw PostgreSQLDatabase.storeError(error, doing: "record a delivery verdict in")
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

    private static func firstString(_ rows: PostgresRowSequence) async throws -> String? {
        for try await value in rows.decode(String.self) { return value }
        return nil
    }
}
