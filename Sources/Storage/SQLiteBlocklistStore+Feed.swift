public import Blocklists
public import Foundation
import GRDB

extension SQLiteBlocklistStore: BlocklistFeedStore {
    public func signingKeys() async throws -> [BlocklistSigningKey] {
        try await database.pool.read { db in try Self.signingKeys(db) }
    }

    private static func signingKeys(_ db: GRDB.Database) throws -> [BlocklistSigningKey] {
        try Row.fetchAll(db, sql: "SELECT * FROM blocklist_signing_key ORDER BY valid_from DESC, id DESC").map { row in
            let until: Double? = row["valid_until"]
            return try BlocklistSigningKey(
                privateKey: row["private_key"], validFrom: Date(timeIntervalSince1970: row["valid_from"]),
                validUntil: until.map(Date.init(timeIntervalSince1970:)))
        }
    }

    public func saveSigningKeys(_ keys: [BlocklistSigningKey]) async throws {
        try await database.pool.write { db in
            for key in keys {
                try db.execute(
                    sql: """
                        INSERT OR REPLACE INTO blocklist_signing_key (id, private_key, valid_from, valid_until)
                        VALUES (?, ?, ?, ?)
                        """,
                    arguments: [
                        key.id, key.privateKey, key.validFrom.timeIntervalSince1970,
                        key.validUntil?.timeIntervalSince1970,
                    ])
            }
        }
    }

    public func publishedSnapshot(publisher: String, validity: TimeInterval, now: Date) async throws
        -> PublishedSnapshot?
    {
        // Most requests find the last snapshot current: a read, no write lock.
        let reusable = try await database.pool.read { db in
            try Self.reusableSnapshot(db, publisher: publisher, now: now)
        }
        switch reusable {
        case .unsigned: return nil
        case .current(let published): return published
        case .stale: break
        }
        // One write transaction: two requests at once never sign two snapshots with one sequence.
        return try await database.pool.write { db -> PublishedSnapshot? in
            let state = try Self.reusableSnapshot(db, publisher: publisher, now: now)
            guard case .stale(let keys, let entries, let entriesSHA256) = state else {
                if case .current(let published) = state { return published }
                return nil
            }
            let current = keys[0]
            let keyIDs = keys.map(\.id).joined(separator: ",")
            let history = try Row.fetchAll(
                db, sql: "SELECT sequence, sha256 FROM blocklist_snapshot ORDER BY sequence DESC LIMIT ?",
                arguments: [BlocklistSnapshot.historyLength]
            ).map { BlocklistFeedCheckpoint(sequence: $0["sequence"], sha256: $0["sha256"]) }
            // Whole seconds: the payload writes dates that way, and the stored row must say what was signed.
            let issued = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
            let snapshot = BlocklistSnapshot(
                publisher: publisher, sequence: (history.first?.sequence ?? 0) + 1, history: history, issuedAt: issued,
                expiresAt: issued.addingTimeInterval(validity.rounded(.down)), keyID: current.id, entries: entries)
            let envelope = snapshot.signed(with: keys).encoded
            try db.execute(
                sql: """
                    INSERT INTO blocklist_snapshot (sequence, sha256, envelope, entries_sha256, key_ids, issued_at, expires_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    snapshot.sequence, snapshot.checkpoint.sha256, envelope, entriesSHA256, keyIDs,
                    snapshot.issuedAt.timeIntervalSince1970, snapshot.expiresAt.timeIntervalSince1970,
                ])
            // Older snapshots are kept only as far as a payload's history reaches.
            try db.execute(
                sql: "DELETE FROM blocklist_snapshot WHERE sequence < ?",
                arguments: [snapshot.sequence - BlocklistSnapshot.historyLength])
            return PublishedSnapshot(snapshot: snapshot, envelope: envelope, keys: keys)
        }
    }

    private enum SnapshotState: Sendable {
        /// No key signs now.
        case unsigned
        case current(PublishedSnapshot)
        /// A new snapshot is due: the keys that sign now (the current one first) and our publishable entries.
        case stale(keys: [BlocklistSigningKey], entries: [DomainBlock], entriesSHA256: String)
    }

    /// Whether the last snapshot still states our publishable entries, is signed by the keys valid now, and has
    /// more than half its validity left.
    private static func reusableSnapshot(_ db: GRDB.Database, publisher: String, now: Date) throws -> SnapshotState {
        let keys = BlocklistKeyring(try signingKeys(db)).signing(at: now)
        guard !keys.isEmpty else { return .unsigned }
        let blocks = try Row.fetchAll(
            db, sql: "SELECT * FROM domain_block WHERE origin_kind IS NOT 'subscription' ORDER BY domain"
        ).map(block(from:))
        let entries = BlocklistSnapshot.publishable(blocks)
        let entriesSHA256 = BlocklistSnapshot.entriesSHA256(entries)
        let keyIDs = keys.map(\.id).joined(separator: ",")
        if let last = try Row.fetchOne(db, sql: "SELECT * FROM blocklist_snapshot ORDER BY sequence DESC LIMIT 1"),
            last["entries_sha256"] == entriesSHA256, last["key_ids"] == keyIDs,
            now.timeIntervalSince1970 < (last["issued_at"] + last["expires_at"]) / 2
        {
            let published = try Self.published(last, keys: keys)
            if published.snapshot.publisher == publisher { return .current(published) }
        }
        return .stale(keys: keys, entries: entries, entriesSHA256: entriesSHA256)
    }

    public func publishedSnapshot(sequence: Int) async throws -> PublishedSnapshot? {
        try await database.pool.read { db in
            let keys = try Self.signingKeys(db)
            return try Row.fetchOne(
                db, sql: "SELECT * FROM blocklist_snapshot WHERE sequence = ?", arguments: [sequence]
            )
            .map { row in
                let ids = Set((row["key_ids"] as String).split(separator: ",").map(String.init))
                return try Self.published(row, keys: keys.filter { ids.contains($0.id) })
            }
        }
    }

    private static func published(_ row: Row, keys: [BlocklistSigningKey]) throws -> PublishedSnapshot {
        let envelope: Data = row["envelope"]
        let payload = try SignedEnvelope(decoding: envelope).payload
        return PublishedSnapshot(snapshot: try BlocklistSnapshot(payload: payload), envelope: envelope, keys: keys)
    }

    public func changes(after cursor: Int, limit: Int) async throws -> [PublishedChange] {
        try await database.pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM domain_block_change WHERE seq > ? AND origin_kind IS NOT 'subscription'
                    ORDER BY seq LIMIT ?
                    """,
                arguments: [cursor, limit]
            ).map { row in
                let domain: String = row["domain"]
                guard let kind = PublishedChange.Kind(rawValue: row["kind"]),
                    let severity = BlockSeverity(rawValue: row["severity"])
                else {
                    throw StorageError(
                        code: .failed,
                        message: "the change log entry for `\(domain)` has an unknown kind or severity; the database "
                            + "was written by another program or a newer Herdwatch",
                        path: "")
                }
                let reasons: String = row["reasons"]
                let block = DomainBlock(
                    domain: domain, severity: severity, rejectMedia: row["reject_media"],
                    rejectReports: row["reject_reports"], publicComment: row["public_comment"],
                    obfuscate: row["obfuscate"],
                    reasons: Set(reasons.split(separator: ",").compactMap { BlockReason(rawValue: String($0)) }),
                    state: kind == .retracted ? .retracted : .active, revision: row["revision"])
                return PublishedChange(
                    cursor: row["seq"], kind: kind, block: block, at: Date(timeIntervalSince1970: row["changed_at"]))
            }
        }
    }

    public func fetchState(subscriptionID id: String) async throws -> BlocklistFetchState {
        try await database.pool.read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT * FROM blocklist_fetch_state WHERE subscription_id = ?", arguments: [id])
            else { return BlocklistFetchState(subscriptionID: id) }
            let sequence: Int? = row["last_sequence"]
            let sha256: String? = row["last_sha256"]
            let attempt: Double? = row["last_attempt"]
            let success: Double? = row["last_success"]
            return BlocklistFetchState(
                subscriptionID: id, etag: row["etag"], lastModified: row["last_modified"],
                checkpoint: sequence.flatMap { sequence in
                    sha256.map { BlocklistFeedCheckpoint(sequence: sequence, sha256: $0) }
                },
                lastAttempt: attempt.map(Date.init(timeIntervalSince1970:)),
                lastSuccess: success.map(Date.init(timeIntervalSince1970:)), lastError: row["last_error"],
                entryCount: row["entry_count"])
        }
    }

    public func saveFetchState(_ state: BlocklistFetchState) async throws {
        try await database.pool.write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO blocklist_fetch_state (subscription_id, etag, last_modified, last_sequence,
                        last_sha256, last_attempt, last_success, last_error, entry_count)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    state.subscriptionID, state.etag, state.lastModified, state.checkpoint?.sequence,
                    state.checkpoint?.sha256, state.lastAttempt?.timeIntervalSince1970,
                    state.lastSuccess?.timeIntervalSince1970, state.lastError, state.entryCount,
                ])
        }
    }
}
