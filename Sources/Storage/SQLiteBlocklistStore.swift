public import Blocklists
import Foundation
import GRDB

/// `BlocklistStore` on the SQLite database (tables `domain_block` and `subscription_block`).
public final class SQLiteBlocklistStore: BlocklistImportStore {
    public let database: SQLiteDatabase

    public init(database: SQLiteDatabase) {
        self.database = database
    }

    public func blocks() async throws -> [DomainBlock] {
        try await read { db in
            // SQLite's BINARY collation compares UTF-8 bytes: the order the protocol asks for.
            try Row.fetchAll(db, sql: "SELECT * FROM domain_block ORDER BY domain").map(Self.block(from:))
        }
    }

    public func block(domain: String) async throws -> DomainBlock? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM domain_block WHERE domain = ?", arguments: [domain])
                .map(Self.block(from:))
        }
    }

    @discardableResult
    public func save(_ block: DomainBlock) async throws -> DomainBlock {
        try await write { db in try Self.save(block, db) }
    }

    /// What `apply(_:)` did.
    public typealias ApplyOutcome = BlocklistImportOutcome

    /// Applies an imported list in one transaction (all or none), each entry as `BlocklistImportMerge` says.
    public func apply(_ entries: [DomainBlock]) async throws -> BlocklistImportOutcome {
        try await write { db in
            var outcome = BlocklistImportOutcome()
            for entry in entries {
                let existing = try Row.fetchOne(
                    db, sql: "SELECT * FROM domain_block WHERE domain = ?", arguments: [entry.domain]
                ).map(Self.block(from:))
                switch BlocklistImportMerge.merged(entry, over: existing) {
                case .add(let block):
                    try Self.save(block, db)
                    outcome.added += 1
                case .change(let block):
                    try Self.save(block, db)
                    outcome.changed += 1
                case .unchanged:
                    outcome.unchanged += 1
                }
            }
            return outcome
        }
    }

    @discardableResult
    private static func save(_ block: DomainBlock, _ db: GRDB.Database) throws -> DomainBlock {
        var stored = block
        let revision = try Int.fetchOne(
            db, sql: "SELECT revision FROM domain_block WHERE domain = ?", arguments: [block.domain])
        if let revision { stored.revision = revision + 1 }
        try upsert(stored, subscription: nil, db)
        return stored
    }

    @discardableResult
    public func retract(domain: String, provenance: BlockProvenance) async throws -> DomainBlock? {
        try await write { db in
            guard
                var block = try Row.fetchOne(
                    db, sql: "SELECT * FROM domain_block WHERE domain = ?", arguments: [domain]
                ).map(Self.block(from:)),
                block.state == .active
            else { return nil }
            block.state = .retracted
            block.revision += 1
            block.provenance = provenance
            try Self.upsert(block, subscription: nil, db)
            return block
        }
    }

    /// A counter that moves whenever an applied entry is saved or retracted (revisions only grow, rows are never
    /// deleted), or what a subscription carries changes: cheap to poll, so a server notices what another process
    /// changed (an import, an apply, a `blocklist sync`).
    public func version() async throws -> Int {
        try await read { db in
            try Int.fetchOne(
                db,
                sql: """
                    SELECT (SELECT COUNT(*) + COALESCE(SUM(revision), 0) FROM domain_block)
                        + (SELECT value FROM blocklist_subscription_version)
                    """) ?? 0
        }
    }

    private static func subscriptionsChanged(_ db: Database) throws {
        try db.execute(sql: "UPDATE blocklist_subscription_version SET value = value + 1")
    }

    public func subscriptionEntries(id: String) async throws -> [DomainBlock] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM subscription_block WHERE subscription_id = ? ORDER BY domain", arguments: [id]
            ).map(Self.block(from:))
        }
    }

    /// What every subscription carries, for `domain.peer_listed`.
    public func allSubscriptionEntries() async throws -> [DomainBlock] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM subscription_block ORDER BY domain").map(Self.block(from:))
        }
    }

    public func saveSubscriptionEntries(id: String, _ entries: [DomainBlock]) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM subscription_block WHERE subscription_id = ?", arguments: [id])
            for entry in entries { try Self.upsert(entry, subscription: id, db) }
            try Self.subscriptionsChanged(db)
        }
    }

    public func subscriptions() async throws -> [BlocklistSubscription] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM blocklist_subscription ORDER BY id").map(Self.subscription(from:))
        }
    }

    public func subscription(id: String) async throws -> BlocklistSubscription? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM blocklist_subscription WHERE id = ?", arguments: [id])
                .map(Self.subscription(from:))
        }
    }

    public func saveSubscription(_ subscription: BlocklistSubscription) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO blocklist_subscription (id, url, format, token, public_keys, weight, severity_cap,
                        trusted_reasons, priority, auto_apply, enabled, fetch_interval, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    subscription.id, subscription.url, subscription.format?.rawValue, subscription.token,
                    subscription.publicKeys.joined(separator: "\n"), subscription.weight, subscription.severityCap.rawValue,
                    subscription.trustedReasons.map { $0.map(\.rawValue).sorted().joined(separator: ",") },
                    subscription.priority, subscription.autoApply.map(\.rawValue).sorted().joined(separator: ","),
                    subscription.enabled, subscription.interval, subscription.createdAt.timeIntervalSince1970,
                ])
        }
    }

    @discardableResult
    public func removeSubscription(id: String) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM subscription_block WHERE subscription_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM blocklist_fetch_state WHERE subscription_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM blocklist_subscription WHERE id = ?", arguments: [id])
            let removed = db.changesCount > 0
            try Self.subscriptionsChanged(db)
            return removed
        }
    }

    private static func subscription(from row: Row) throws -> BlocklistSubscription {
        let id: String = row["id"]
        func invalid(_ column: String) -> StorageError {
            StorageError(
                code: .failed,
                message: "the stored subscription `\(id)` has an unknown \(column); the database was written by another "
                    + "program or a newer Herdwatch",
                path: "")
        }
        var format: BlocklistFormat?
        if let text: String = row["format"] {
            guard let parsed = BlocklistFormat(rawValue: text) else { throw invalid("format") }
            format = parsed
        }
        guard let cap = BlockSeverity(rawValue: row["severity_cap"]) else { throw invalid("severity cap") }
        let keys: String = row["public_keys"]
        let reasons: String? = row["trusted_reasons"]
        let autoApply: String = row["auto_apply"]
        return BlocklistSubscription(
            id: id, url: row["url"], format: format, token: row["token"],
            publicKeys: keys.split(separator: "\n").map(String.init), weight: row["weight"], severityCap: cap,
            trustedReasons: reasons.map { Set($0.split(separator: ",").compactMap { BlockReason(rawValue: String($0)) }) },
            priority: row["priority"],
            autoApply: Set(autoApply.split(separator: ",").compactMap { BlocklistDraft.Kind(rawValue: String($0)) }),
            enabled: row["enabled"], interval: row["fetch_interval"],
            createdAt: Date(timeIntervalSince1970: row["created_at"]))
    }

    /// Writes `block` to `domain_block`, or to `subscription_block` under `subscription`.
    static func upsert(_ block: DomainBlock, subscription: String?, _ db: GRDB.Database) throws {
        var arguments: StatementArguments = [
            block.domain, block.severity.rawValue, block.rejectMedia, block.rejectReports, block.privateComment,
            block.publicComment, block.obfuscate, block.reasons.map(\.rawValue).sorted().joined(separator: ","),
            try evidenceText(block.evidence), block.state.rawValue, block.revision, block.provenance?.origin.kind,
            block.provenance?.origin.name, block.provenance?.at?.timeIntervalSince1970, block.provenance?.note,
        ]
        let columns = """
            domain, severity, reject_media, reject_reports, private_comment, public_comment, obfuscate, reasons, \
            evidence, state, revision, origin_kind, origin_name, origin_at, origin_note
            """
        let values = Array(repeating: "?", count: 15).joined(separator: ", ")
        if let subscription {
            arguments = [subscription] + arguments
            try db.execute(
                sql: "INSERT OR REPLACE INTO subscription_block (subscription_id, \(columns)) VALUES (?, \(values))",
                arguments: arguments)
        } else {
            try db.execute(
                sql: "INSERT OR REPLACE INTO domain_block (\(columns)) VALUES (\(values))", arguments: arguments)
        }
    }

    private static func evidenceText(_ evidence: [String]) throws -> String {
        String(decoding: try JSONEncoder().encode(evidence), as: UTF8.self)
    }

    static func block(from row: Row) throws -> DomainBlock {
        let domain: String = row["domain"]
        func invalid(_ column: String) -> StorageError {
            StorageError(
                code: .failed,
                message: "the stored block for `\(domain)` has an unknown \(column); the database was written by "
                    + "another program or a newer Herdwatch",
                path: "")
        }
        guard let severity = BlockSeverity(rawValue: row["severity"]) else { throw invalid("severity") }
        guard let state = DomainBlock.State(rawValue: row["state"]) else { throw invalid("state") }
        let reasonsText: String = row["reasons"]
        let evidenceText: String = row["evidence"]
        guard let evidence = try? JSONDecoder().decode([String].self, from: Data(evidenceText.utf8)) else {
            throw invalid("evidence")
        }
        var provenance: BlockProvenance?
        if let kind: String = row["origin_kind"] {
            let name: String = row["origin_name"] ?? ""
            guard let origin = BlockProvenance.Origin(kind: kind, name: name) else { throw invalid("origin") }
            let at: Double? = row["origin_at"]
            provenance = BlockProvenance(
                origin: origin, at: at.map(Date.init(timeIntervalSince1970:)), note: row["origin_note"])
        }
        return DomainBlock(
            domain: domain, severity: severity, rejectMedia: row["reject_media"], rejectReports: row["reject_reports"],
            privateComment: row["private_comment"], publicComment: row["public_comment"], obfuscate: row["obfuscate"],
            reasons: Set(reasonsText.split(separator: ",").compactMap { BlockReason(rawValue: String($0)) }),
            evidence: evidence, state: state, revision: row["revision"], provenance: provenance)
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (GRDB.Database) throws -> T) async throws -> T {
        do {
            return try await database.pool.read(body)
        } catch var error as StorageError {
            error.path = database.path
            throw error
        } catch {
            throw SQLiteDatabase.storageError(error, path: database.path, doing: "read domain blocks from")
        }
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (GRDB.Database) throws -> T) async throws -> T {
        do {
            return try await database.pool.write(body)
        } catch var error as StorageError {
            error.path = database.path
            throw error
        } catch {
            throw SQLiteDatabase.storageError(error, path: database.path, doing: "write domain blocks to")
        }
    }
}
