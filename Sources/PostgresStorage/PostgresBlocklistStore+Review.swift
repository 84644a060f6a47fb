public import Blocklists
public import Foundation
import PostgresNIO

/// Review on PostgreSQL (tables `blocklist_dismissal`, `blocklist_batch`, `blocklist_batch_item`): a batch is
/// checked and written in one transaction with its blocks, in turn with every other blocklist write of every node,
/// so of two nodes applying changes computed from the same entry, one applies and the other is refused.
extension PostgresBlocklistStore: BlocklistReviewStore {
    public func dismissals() async throws -> Set<DraftDismissal> {
        try await read { connection in
            var dismissals = Set<DraftDismissal>()
            for try await (domain, kind, policy) in try await connection.query(
                "SELECT domain, kind, policy FROM blocklist_dismissal", logger: database.logger
            ).decode((String, String, String).self) {
                guard let kind = BlocklistDraft.Kind(rawValue: kind) else { continue }
                dismissals.insert(DraftDismissal(domain: domain, kind: kind, policy: policy))
            }
            return dismissals
        }
    }

    public func dismiss(_ dismissal: DraftDismissal, actor: String, at: Date) async throws {
        try await read("write blocklist dismissals to") { connection in
            _ = try await connection.query(
                """
                INSERT INTO blocklist_dismissal (domain, kind, policy, dismissed_by, dismissed_at)
                VALUES (\(dismissal.domain), \(dismissal.kind.rawValue), \(dismissal.policy), \(actor),
                    \(at.timeIntervalSince1970))
                ON CONFLICT DO NOTHING
                """, logger: database.logger)
        }
    }

    public func applyBatch(
        _ changes: [BlocklistChange], actor: String, channel: BlocklistBatch.Channel, at: Date, undoing: Int64?
    ) async throws -> BlocklistBatch {
        let encoder = JSONEncoder()
        return try await write { connection in
            var befores: [DomainBlock?] = []
            for change in changes {
                let current = try await Self.block(domain: change.domain, forUpdate: true, connection)
                guard change.isStill(current) else { throw change.changedError }
                befores.append(current)
            }
            guard
                let id = try await Self.first(
                    Int64.self,
                    """
                    INSERT INTO blocklist_batch (actor, channel, applied_at, undoes)
                    VALUES (\(actor), \(channel.rawValue), \(at.timeIntervalSince1970), \(undoing)) RETURNING id
                    """, connection)
            else {
                throw PostgresStoreError(code: .failed, message: "cannot write a blocklist batch: no id came back")
            }
            var items: [BlocklistBatch.Item] = []
            for (position, (change, before)) in zip(changes, befores).enumerated() {
                var stored = change.after
                if let before { stored.revision = before.revision + 1 }
                var upsert = try Self.inserting(stored, subscription: nil)
                upsert.sql += " ON CONFLICT (domain) DO UPDATE SET \(Self.replacing(except: nil))"
                try await connection.query(upsert, logger: database.logger)
                let beforeJSON = try before.map { String(decoding: try encoder.encode(BlockRecord($0)), as: UTF8.self) }
                let afterJSON = String(decoding: try encoder.encode(BlockRecord(stored)), as: UTF8.self)
                try await connection.query(
                    """
                    INSERT INTO blocklist_batch_item (batch_id, position, domain, kind, before, after)
                    VALUES (\(id), \(position), \(change.domain), \(change.kind?.rawValue), \(beforeJSON), \(afterJSON))
                    """, logger: database.logger)
                items.append(.init(domain: change.domain, kind: change.kind, before: before, after: stored))
            }
            return BlocklistBatch(id: id, actor: actor, at: at, channel: channel, items: items, undoes: undoing)
        }
    }

    private static let batchColumns = "id, actor, channel, applied_at, undoes"

    public func batches(limit: Int) async throws -> [BlocklistBatch] {
        try await read { connection in
            try await Self.batches(
                "SELECT \(unescaped: Self.batchColumns) FROM blocklist_batch ORDER BY id DESC LIMIT \(limit)",
                connection)
        }
    }

    public func batch(id: Int64) async throws -> BlocklistBatch? {
        try await read { connection in
            try await Self.batches(
                "SELECT \(unescaped: Self.batchColumns) FROM blocklist_batch WHERE id = \(id)", connection
            ).first
        }
    }

    private static func batches(_ query: PostgresQuery, _ connection: PostgresConnection) async throws
        -> [BlocklistBatch]
    {
        var heads: [(id: Int64, actor: String, channel: String, at: Double, undoes: Int64?)] = []
        for try await head in try await connection.query(query, logger: connection.logger).decode(
            (Int64, String, String, Double, Int64?).self)
        {
            heads.append(head)
        }
        let decoder = JSONDecoder()
        var batches: [BlocklistBatch] = []
        for head in heads {
            let invalid = PostgresStoreError(
                code: .failed,
                message: "the stored blocklist batch \(head.id) cannot be read; the database was written by another "
                    + "program or a newer Herdwatch")
            guard let channel = BlocklistBatch.Channel(rawValue: head.channel) else { throw invalid }
            var items: [BlocklistBatch.Item] = []
            for try await (domain, kind, beforeJSON, afterJSON) in try await connection.query(
                """
                SELECT domain, kind, before, after FROM blocklist_batch_item WHERE batch_id = \(head.id)
                ORDER BY position
                """, logger: connection.logger
            ).decode((String, String?, String?, String).self) {
                guard let after = try? decoder.decode(BlockRecord.self, from: Data(afterJSON.utf8)) else {
                    throw invalid
                }
                var before: BlockRecord?
                if let beforeJSON {
                    guard let decoded = try? decoder.decode(BlockRecord.self, from: Data(beforeJSON.utf8)) else {
                        throw invalid
                    }
                    before = decoded
                }
                items.append(
                    .init(
                        domain: domain, kind: kind.flatMap(BlocklistDraft.Kind.init(rawValue:)), before: before?.block,
                        after: after.block))
            }
            batches.append(
                BlocklistBatch(
                    id: head.id, actor: head.actor, at: Date(timeIntervalSince1970: head.at), channel: channel,
                    items: items, undoes: head.undoes))
        }
        return batches
    }
}
