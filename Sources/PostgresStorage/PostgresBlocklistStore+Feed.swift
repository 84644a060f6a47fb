public import Blocklists
public import Foundation
import PostgresNIO

/// Publishing and subscribing on PostgreSQL (tables `blocklist_signing_key`, `blocklist_snapshot`,
/// `blocklist_fetch_state`, and `domain_block_change`, which a trigger writes): every node serves the same chain of
/// snapshots and the same change feed.
extension PostgresBlocklistStore: BlocklistFeedStore {
    public func signingKeys() async throws -> [BlocklistSigningKey] {
        try await read { connection in try await Self.signingKeys(connection) }
    }

    private static func signingKeys(_ connection: PostgresConnection) async throws -> [BlocklistSigningKey] {
        var keys: [BlocklistSigningKey] = []
        for try await (privateKey, validFrom, validUntil) in try await connection.query(
            """
            SELECT private_key, valid_from, valid_until FROM blocklist_signing_key
            ORDER BY valid_from DESC, id COLLATE "C" DESC
            """, logger: connection.logger
        ).decode((Data, Double, Double?).self) {
            keys.append(
                try BlocklistSigningKey(
                    privateKey: privateKey, validFrom: Date(timeIntervalSince1970: validFrom),
                    validUntil: validUntil.map(Date.init(timeIntervalSince1970:))))
        }
        return keys
    }

    public func saveSigningKeys(_ keys: [BlocklistSigningKey]) async throws {
        do {
            try await database.client.withTransaction(logger: database.logger) { connection in
                for key in keys {
                    try await connection.query(
                        """
                        INSERT INTO blocklist_signing_key (id, private_key, valid_from, valid_until)
                        VALUES (\(key.id), \(key.privateKey), \(key.validFrom.timeIntervalSince1970),
                            \(key.validUntil?.timeIntervalSince1970))
                        ON CONFLICT (id) DO UPDATE SET private_key = EXCLUDED.private_key,
                            valid_from = EXCLUDED.valid_from, valid_until = EXCLUDED.valid_until
                        """, logger: database.logger)
                }
            }
        } catch {
            throw Self.mapped(error, doing: "write blocklist signing keys to")
        }
    }

    public func publishedSnapshot(publisher: String, validity: TimeInterval, now: Date) async throws
        -> PublishedSnapshot?
    {
        // Most requests find the last snapshot current: a read, no lock.
        let reusable = try await read { connection in
            try await Self.reusableSnapshot(connection, publisher: publisher, now: now)
        }
        switch reusable {
        case .unsigned: return nil
        case .current(let published): return published
        case .stale: break
        }
        // Under the blocklist lock, without moving the version: two nodes never sign two snapshots with one
        // sequence, and the entries signed are those committed when the lock was taken.
        do {
            return try await database.client.withTransaction(logger: database.logger) { connection in
                try await connection.query(
                    "SELECT value FROM blocklist_version WHERE id = 1 FOR UPDATE", logger: database.logger)
                let state = try await Self.reusableSnapshot(connection, publisher: publisher, now: now)
                guard case .stale(let keys, let entries, let entriesSHA256) = state else {
                    if case .current(let published) = state { return published }
                    return nil
                }
                var history: [BlocklistFeedCheckpoint] = []
                for try await (sequence, sha256) in try await connection.query(
                    "SELECT sequence, sha256 FROM blocklist_snapshot ORDER BY sequence DESC LIMIT \(BlocklistSnapshot.historyLength)",
                    logger: database.logger
                ).decode((Int, String).self) {
                    history.append(BlocklistFeedCheckpoint(sequence: sequence, sha256: sha256))
                }
                // Whole seconds: the payload writes dates that way, and the stored row must say what was signed.
                let issued = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
                let snapshot = BlocklistSnapshot(
                    publisher: publisher, sequence: (history.first?.sequence ?? 0) + 1, history: history,
                    issuedAt: issued, expiresAt: issued.addingTimeInterval(validity.rounded(.down)),
                    keyID: keys[0].id, entries: entries)
                let envelope = snapshot.signed(with: keys).encoded
                let keyIDs = keys.map(\.id).joined(separator: ",")
                try await connection.query(
                    """
                    INSERT INTO blocklist_snapshot (sequence, sha256, envelope, entries_sha256, key_ids, issued_at,
                        expires_at)
                    VALUES (\(snapshot.sequence), \(snapshot.checkpoint.sha256), \(envelope), \(entriesSHA256),
                        \(keyIDs), \(snapshot.issuedAt.timeIntervalSince1970), \(snapshot.expiresAt.timeIntervalSince1970))
                    """, logger: database.logger)
                // Older snapshots are kept only as far as a payload's history reaches.
                try await connection.query(
                    "DELETE FROM blocklist_snapshot WHERE sequence < \(snapshot.sequence - BlocklistSnapshot.historyLength)",
                    logger: database.logger)
                return PublishedSnapshot(snapshot: snapshot, envelope: envelope, keys: keys)
            }
        } catch {
            throw Self.mapped(error, doing: "write a blocklist snapshot to")
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
    private static func reusableSnapshot(_ connection: PostgresConnection, publisher: String, now: Date) async throws
        -> SnapshotState
    {
        let keys = BlocklistKeyring(try await signingKeys(connection)).signing(at: now)
        guard !keys.isEmpty else { return .unsigned }
        let blocks = try await Self.blocks(
            """
            SELECT * FROM domain_block WHERE origin_kind IS DISTINCT FROM 'subscription' ORDER BY domain COLLATE "C"
            """, connection)
        let entries = BlocklistSnapshot.publishable(blocks)
        let entriesSHA256 = BlocklistSnapshot.entriesSHA256(entries)
        let keyIDs = keys.map(\.id).joined(separator: ",")
        for try await (envelope, lastEntries, lastKeys, issuedAt, expiresAt) in try await connection.query(
            """
            SELECT envelope, entries_sha256, key_ids, issued_at, expires_at FROM blocklist_snapshot
            ORDER BY sequence DESC LIMIT 1
            """, logger: connection.logger
        ).decode((Data, String, String, Double, Double).self)
        where lastEntries == entriesSHA256 && lastKeys == keyIDs
            && now.timeIntervalSince1970 < (issuedAt + expiresAt) / 2
        {
            let published = try Self.published(envelope, keys: keys)
            if published.snapshot.publisher == publisher { return .current(published) }
        }
        return .stale(keys: keys, entries: entries, entriesSHA256: entriesSHA256)
    }

    public func publishedSnapshot(sequence: Int) async throws -> PublishedSnapshot? {
        try await read { connection in
            let keys = try await Self.signingKeys(connection)
            for try await (envelope, keyIDs) in try await connection.query(
                "SELECT envelope, key_ids FROM blocklist_snapshot WHERE sequence = \(sequence)",
                logger: connection.logger
            ).decode((Data, String).self) {
                let ids = Set(keyIDs.split(separator: ",").map(String.init))
                return try Self.published(envelope, keys: keys.filter { ids.contains($0.id) })
            }
            return nil
        }
    }

    private static func published(_ envelope: Data, keys: [BlocklistSigningKey]) throws -> PublishedSnapshot {
        let payload = try SignedEnvelope(decoding: envelope).payload
        return PublishedSnapshot(snapshot: try BlocklistSnapshot(payload: payload), envelope: envelope, keys: keys)
    }

    public func changes(after cursor: Int, limit: Int) async throws -> [PublishedChange] {
        try await read { connection in
            var changes: [PublishedChange] = []
            for try await (
                seq, domain, revision, kindText, severityText, rejectMedia, rejectReports, publicComment, obfuscate,
                reasons, changedAt
            ) in try await connection.query(
                """
                SELECT seq, domain, revision, kind, severity, reject_media, reject_reports, public_comment, obfuscate,
                    reasons, changed_at
                FROM domain_block_change WHERE seq > \(cursor) AND origin_kind IS DISTINCT FROM 'subscription'
                ORDER BY seq LIMIT \(limit)
                """, logger: connection.logger
            ).decode((Int, String, Int, String, String, Bool, Bool, String, Bool, String, Double).self) {
                guard let kind = PublishedChange.Kind(rawValue: kindText),
                    let severity = BlockSeverity(rawValue: severityText)
                else {
                    throw PostgresStoreError(
                        code: .failed,
                        message: "the change log entry for `\(domain)` has an unknown kind or severity; the database "
                            + "was written by another program or a newer Herdwatch")
                }
                let block = DomainBlock(
                    domain: domain, severity: severity, rejectMedia: rejectMedia, rejectReports: rejectReports,
                    publicComment: publicComment, obfuscate: obfuscate,
                    reasons: Set(reasons.split(separator: ",").compactMap { BlockReason(rawValue: String($0)) }),
                    state: kind == .retracted ? .retracted : .active, revision: revision)
                changes.append(
                    PublishedChange(
                        cursor: seq, kind: kind, block: block, at: Date(timeIntervalSince1970: changedAt)))
            }
            return changes
        }
    }

    public func fetchState(subscriptionID id: String) async throws -> BlocklistFetchState {
        try await read { connection in
            for try await (etag, lastModified, sequence, sha256, attempt, success, lastError, entryCount)
                in try await connection.query(
                    """
                    SELECT etag, last_modified, last_sequence, last_sha256, last_attempt, last_success, last_error,
                        entry_count
                    FROM blocklist_fetch_state WHERE subscription_id = \(id)
                    """, logger: connection.logger
                ).decode((String?, String?, Int?, String?, Double?, Double?, String?, Int).self)
            {
                return BlocklistFetchState(
                    subscriptionID: id, etag: etag, lastModified: lastModified,
                    checkpoint: sequence.flatMap { sequence in
                        sha256.map { BlocklistFeedCheckpoint(sequence: sequence, sha256: $0) }
                    },
                    lastAttempt: attempt.map(Date.init(timeIntervalSince1970:)),
                    lastSuccess: success.map(Date.init(timeIntervalSince1970:)), lastError: lastError,
                    entryCount: entryCount)
            }
            return BlocklistFetchState(subscriptionID: id)
        }
    }

    public func saveFetchState(_ state: BlocklistFetchState) async throws {
        try await read("write blocklist fetch state to") { connection in
            _ = try await connection.query(
                """
                INSERT INTO blocklist_fetch_state (subscription_id, etag, last_modified, last_sequence, last_sha256,
                    last_attempt, last_success, last_error, entry_count)
                VALUES (\(state.subscriptionID), \(state.etag), \(state.lastModified), \(state.checkpoint?.sequence),
                    \(state.checkpoint?.sha256), \(state.lastAttempt?.timeIntervalSince1970),
                    \(state.lastSuccess?.timeIntervalSince1970), \(state.lastError), \(state.entryCount))
                ON CONFLICT (subscription_id) DO UPDATE SET etag = EXCLUDED.etag,
                    last_modified = EXCLUDED.last_modified, last_sequence = EXCLUDED.last_sequence,
                    last_sha256 = EXCLUDED.last_sha256, last_attempt = EXCLUDED.last_attempt,
                    last_success = EXCLUDED.last_success, last_error = EXCLUDED.last_error,
                    entry_count = EXCLUDED.entry_count
                """, logger: database.logger)
        }
    }
}
