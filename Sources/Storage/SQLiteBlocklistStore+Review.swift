public import Blocklists
public import Foundation
import GRDB

/// Review on the SQLite file (tables `blocklist_dismissal`, `blocklist_batch`, `blocklist_batch_item`): a batch is
/// written in the same transaction as its blocks.
extension SQLiteBlocklistStore: BlocklistReviewStore {
    public func dismissals() async throws -> Set<DraftDismissal> {
        try await read { db in
            var dismissals = Set<DraftDismissal>()
            for row in try Row.fetchAll(db, sql: "SELECT domain, kind, policy FROM blocklist_dismissal") {
                guard let kind = BlocklistDraft.Kind(rawValue: row["kind"]) else { continue }
                dismissals.insert(DraftDismissal(domain: row["domain"], kind: kind, policy: row["policy"]))
            }
            return dismissals
        }
    }

    public func dismiss(_ dismissal: DraftDismissal, actor: String, at: Date) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO blocklist_dismissal (domain, kind, policy, dismissed_by, dismissed_at)
                    VALUES (?, ?, ?, ?, ?)
                    """,
                arguments: [
                    dismissal.domain, dismissal.kind.rawValue, dismissal.policy, actor, at.timeIntervalSince1970,
                ])
        }
    }

    public func applyBatch(
        _ changes: [BlocklistChange], actor: String, channel: BlocklistBatch.Channel, at: Date, undoing: Int64?
    ) async throws -> BlocklistBatch {
        try await writeBatch { db in
            var befores: [DomainBlock?] = []
            for change in changes {
                let current = try Row.fetchOne(
                    db, sql: "SELECT * FROM domain_block WHERE domain = ?", arguments: [change.domain]
                ).map(Self.block(from:))
                guard change.isStill(current) else { throw change.changedError }
                befores.append(current)
            }
            try db.execute(
                sql: "INSERT INTO blocklist_batch (actor, channel, applied_at, undoes) VALUES (?, ?, ?, ?)",
                arguments: [actor, channel.rawValue, at.timeIntervalSince1970, undoing])
            let id = db.lastInsertedRowID
            var items: [BlocklistBatch.Item] = []
            for (position, (change, before)) in zip(changes, befores).enumerated() {
                var stored = change.after
                if let before { stored.revision = before.revision + 1 }
                try Self.upsert(stored, subscription: nil, db)
                try db.execute(
                    sql: """
                        INSERT INTO blocklist_batch_item (batch_id, position, domain, kind, before, after)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        id, position, change.domain, change.kind?.rawValue, try before.map(Self.json),
                        try Self.json(stored),
                    ])
                items.append(.init(domain: change.domain, kind: change.kind, before: before, after: stored))
            }
            return BlocklistBatch(id: id, actor: actor, at: at, channel: channel, items: items, undoes: undoing)
        }
    }

    public func batches(limit: Int) async throws -> [BlocklistBatch] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM blocklist_batch ORDER BY id DESC LIMIT ?", arguments: [limit])
                .map { try Self.batch(from: $0, db) }
        }
    }

    public func batch(id: Int64) async throws -> BlocklistBatch? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM blocklist_batch WHERE id = ?", arguments: [id])
                .map { try Self.batch(from: $0, db) }
        }
    }

    private static func batch(from row: Row, _ db: GRDB.Database) throws -> BlocklistBatch {
        let id: Int64 = row["id"]
        let invalid = StorageError(
            code: .failed,
            message: "the stored blocklist batch \(id) cannot be read; the database was written by another program or "
                + "a newer Herdwatch",
            path: "")
        guard let channel = BlocklistBatch.Channel(rawValue: row["channel"]) else { throw invalid }
        var items: [BlocklistBatch.Item] = []
        let decoder = JSONDecoder()
        for item in try Row.fetchAll(
            db, sql: "SELECT * FROM blocklist_batch_item WHERE batch_id = ? ORDER BY position", arguments: [id])
        {
            let kindText: String? = item["kind"]
            let beforeText: String? = item["before"]
            let afterText: String = item["after"]
            guard let after = try? decoder.decode(BlockRecord.self, from: Data(afterText.utf8)) else { throw invalid }
            var before: BlockRecord?
            if let beforeText {
                guard let decoded = try? decoder.decode(BlockRecord.self, from: Data(beforeText.utf8)) else {
                    throw invalid
                }
                before = decoded
            }
            items.append(
                .init(
                    domain: item["domain"], kind: kindText.flatMap(BlocklistDraft.Kind.init(rawValue:)),
                    before: before?.block, after: after.block))
        }
        return BlocklistBatch(
            id: id, actor: row["actor"], at: Date(timeIntervalSince1970: row["applied_at"]), channel: channel,
            items: items, undoes: row["undoes"])
    }

    /// `write`, letting a refusal through as it is.
    private func writeBatch<T: Sendable>(_ body: @escaping @Sendable (GRDB.Database) throws -> T) async throws -> T {
        do {
            return try await database.pool.write(body)
        } catch let error as BlocklistReviewError {
            throw error
        } catch var error as StorageError {
            error.path = database.path
            throw error
        } catch {
            throw SQLiteDatabase.storageError(error, path: database.path, doing: "write a blocklist batch to")
        }
    }

    private static func json(_ block: DomainBlock) throws -> String {
        String(decoding: try JSONEncoder().encode(BlockRecord(block)), as: UTF8.self)
    }
}
