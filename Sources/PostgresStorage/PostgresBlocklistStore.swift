public import Blocklists
import Foundation
import PostgresNIO

/// `BlocklistStore` on PostgreSQL (tables `domain_block`, `subscription_block` and `blocklist_subscription`): every
/// node applies and reads the same list. Every write is one transaction that first moves `blocklist_version`; the
/// row lock that takes orders the blocklist writes of all nodes one after another, so a revision is never counted
/// twice and a node polling ``version()`` sees every change.
public struct PostgresBlocklistStore: BlocklistImportStore {
    let database: PostgreSQLDatabase

    public init(database: PostgreSQLDatabase) {
        self.database = database
    }

    static let blockColumns = """
        domain, severity, reject_media, reject_reports, private_comment, public_comment, obfuscate, reasons, evidence, \
        state, revision, origin_kind, origin_name, origin_at, origin_note
        """

    public func blocks() async throws -> [DomainBlock] {
        // The "C" collation compares bytes: the UTF-8 order the protocol asks for, whatever the database's locale.
        try await read { connection in
            try await Self.blocks("SELECT * FROM domain_block ORDER BY domain COLLATE \"C\"", connection)
        }
    }

    public func block(domain: String) async throws -> DomainBlock? {
        try await read { connection in try await Self.block(domain: domain, connection) }
    }

    static func block(domain: String, forUpdate: Bool = false, _ connection: PostgresConnection) async throws
        -> DomainBlock?
    {
        var query: PostgresQuery = "SELECT * FROM domain_block WHERE domain = \(domain)"
        if forUpdate { query.sql += " FOR UPDATE" }
        return try await blocks(query, connection).first
    }

    @discardableResult
    public func save(_ block: DomainBlock) async throws -> DomainBlock {
        // One statement: a new domain keeps the given revision, a stored one goes one past what is stored now.
        var query = try Self.inserting(block, subscription: nil)
        query.sql += " ON CONFLICT (domain) DO UPDATE SET \(Self.replacing(except: "revision")), "
        query.sql += "revision = domain_block.revision + 1 RETURNING revision"
        return try await write { connection in
            var stored = block
            stored.revision = try await Self.first(Int.self, query, connection) ?? block.revision
            return stored
        }
    }

    /// Applies an imported list in one transaction (all or none), each entry as `BlocklistImportMerge` says; the
    /// entries are locked in domain order, as every blocklist write takes its locks.
    public func apply(_ entries: [DomainBlock]) async throws -> BlocklistImportOutcome {
        let ordered = entries.sorted { $0.domain.utf8.lexicographicallyPrecedes($1.domain.utf8) }
        return try await write { connection in
            var outcome = BlocklistImportOutcome()
            for entry in ordered {
                let existing = try await Self.block(domain: entry.domain, forUpdate: true, connection)
                let merged: DomainBlock
                switch BlocklistImportMerge.merged(entry, over: existing) {
                case .add(let block):
                    merged = block
                    outcome.added += 1
                case .change(let block):
                    merged = block
                    outcome.changed += 1
                case .unchanged:
                    outcome.unchanged += 1
                    continue
                }
                var query = try Self.inserting(merged, subscription: nil)
                query.sql += " ON CONFLICT (domain) DO UPDATE SET \(Self.replacing(except: "revision")), "
                query.sql += "revision = domain_block.revision + 1"
                try await connection.query(query, logger: database.logger)
            }
            return outcome
        }
    }

    @discardableResult
    public func retract(domain: String, provenance: BlockProvenance) async throws -> DomainBlock? {
        try await write { connection in
            try await Self.blocks(
                """
                UPDATE domain_block SET state = 'retracted', revision = revision + 1,
                    origin_kind = \(provenance.origin.kind), origin_name = \(provenance.origin.name),
                    origin_at = \(provenance.at?.timeIntervalSince1970), origin_note = \(provenance.note)
                WHERE domain = \(domain) AND state = 'active'
                RETURNING *
                """, connection
            ).first
        }
    }

    /// A counter that moves with every write of the applied list or of what a subscription carries, on any node:
    /// cheap to poll, so a server notices what another node or process changed (an import, an apply, a sync).
    public func version() async throws -> Int {
        try await read { connection in
            try await Self.first(Int.self, "SELECT value FROM blocklist_version WHERE id = 1", connection) ?? 0
        }
    }

    public func subscriptionEntries(id: String) async throws -> [DomainBlock] {
        try await read { connection in
            try await Self.blocks(
                "SELECT * FROM subscription_block WHERE subscription_id = \(id) ORDER BY domain COLLATE \"C\"",
                connection)
        }
    }

    /// What every subscription carries, for `domain.peer_listed`.
    public func allSubscriptionEntries() async throws -> [DomainBlock] {
        try await read { connection in
            try await Self.blocks(
                "SELECT * FROM subscription_block ORDER BY domain COLLATE \"C\", subscription_id COLLATE \"C\"",
                connection)
        }
    }

    public func saveSubscriptionEntries(id: String, _ entries: [DomainBlock]) async throws {
        let inserts = try entries.map { entry in
            var query = try Self.inserting(entry, subscription: id)
            query.sql += " ON CONFLICT (subscription_id, domain) DO UPDATE SET \(Self.replacing(except: nil))"
            return query
        }
        try await write { connection in
            try await connection.query(
                "DELETE FROM subscription_block WHERE subscription_id = \(id)", logger: database.logger)
            for insert in inserts { try await connection.query(insert, logger: database.logger) }
        }
    }

    public func subscriptions() async throws -> [BlocklistSubscription] {
        try await read { connection in
            try await Self.subscriptions("SELECT * FROM blocklist_subscription ORDER BY id COLLATE \"C\"", connection)
        }
    }

    public func subscription(id: String) async throws -> BlocklistSubscription? {
        try await read { connection in
            try await Self.subscriptions("SELECT * FROM blocklist_subscription WHERE id = \(id)", connection).first
        }
    }

    public func saveSubscription(_ subscription: BlocklistSubscription) async throws {
        let keys = subscription.publicKeys.joined(separator: "\n")
        let reasons = subscription.trustedReasons.map { $0.map(\.rawValue).sorted().joined(separator: ",") }
        let autoApply = subscription.autoApply.map(\.rawValue).sorted().joined(separator: ",")
        try await read("write blocklists to") { connection in
            _ = try await connection.query(
                """
                INSERT INTO blocklist_subscription (id, url, format, token, public_keys, weight, severity_cap,
                    trusted_reasons, priority, auto_apply, enabled, fetch_interval, created_at)
                VALUES (\(subscription.id), \(subscription.url), \(subscription.format?.rawValue),
                    \(subscription.token), \(keys), \(subscription.weight), \(subscription.severityCap.rawValue),
                    \(reasons), \(subscription.priority), \(autoApply), \(subscription.enabled),
                    \(subscription.interval), \(subscription.createdAt.timeIntervalSince1970))
                ON CONFLICT (id) DO UPDATE SET url = EXCLUDED.url, format = EXCLUDED.format, token = EXCLUDED.token,
                    public_keys = EXCLUDED.public_keys, weight = EXCLUDED.weight, severity_cap = EXCLUDED.severity_cap,
                    trusted_reasons = EXCLUDED.trusted_reasons, priority = EXCLUDED.priority,
                    auto_apply = EXCLUDED.auto_apply, enabled = EXCLUDED.enabled,
                    fetch_interval = EXCLUDED.fetch_interval, created_at = EXCLUDED.created_at
                """, logger: database.logger)
        }
    }

    @discardableResult
    public func removeSubscription(id: String) async throws -> Bool {
        try await write { connection in
            try await connection.query(
                "DELETE FROM subscription_block WHERE subscription_id = \(id)", logger: database.logger)
            try await connection.query(
                "DELETE FROM blocklist_fetch_state WHERE subscription_id = \(id)", logger: database.logger)
            return try await Self.first(
                Int.self, "DELETE FROM blocklist_subscription WHERE id = \(id) RETURNING 1", connection) != nil
        }
    }

    // MARK: - Rows

    /// `INSERT INTO domain_block` of `block`, or into `subscription_block` under `subscription`.
    static func inserting(_ block: DomainBlock, subscription: String?) throws -> PostgresQuery {
        let reasons = block.reasons.map(\.rawValue).sorted().joined(separator: ",")
        let evidence = String(decoding: try JSONEncoder().encode(block.evidence), as: UTF8.self)
        let origin = block.provenance
        let table =
            subscription == nil
            ? "domain_block (\(blockColumns))" : "subscription_block (\(blockColumns), subscription_id)"
        var query: PostgresQuery = """
            INSERT INTO \(unescaped: table) VALUES (\(block.domain), \(block.severity.rawValue), \(block.rejectMedia), \
            \(block.rejectReports), \(block.privateComment), \(block.publicComment), \(block.obfuscate), \(reasons), \
            \(evidence), \(block.state.rawValue), \(block.revision), \(origin?.origin.kind), \(origin?.origin.name), \
            \(origin?.at?.timeIntervalSince1970), \(origin?.note)
            """
        if let subscription {
            query.binds.append(subscription)
            query.sql += ", $\(query.binds.count)"
        }
        query.sql += ")"
        return query
    }

    /// `column = EXCLUDED.column` for every column of an entry but the domain and `except`.
    static func replacing(except excluded: String?) -> String {
        blockColumns.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0 != "domain" && $0 != excluded }
            .map { "\($0) = EXCLUDED.\($0)" }
            .joined(separator: ", ")
    }

    static func blocks(_ query: PostgresQuery, _ connection: PostgresConnection) async throws -> [DomainBlock] {
        var blocks: [DomainBlock] = []
        for try await row in try await connection.query(query, logger: connection.logger) {
            blocks.append(try block(row))
        }
        return blocks
    }

    static func block(_ row: PostgresRow) throws -> DomainBlock {
        let row = row.makeRandomAccess()
        func column<T: PostgresDecodable>(_ name: String, as type: T.Type = T.self) throws -> T {
            try row[name].decode(T.self)
        }
        let domain: String = try column("domain")
        func invalid(_ what: String) -> PostgresStoreError {
            PostgresStoreError(
                code: .failed,
                message: "the stored block for `\(domain)` has an unknown \(what); the database was written by another "
                    + "program or a newer Herdwatch")
        }
        guard let severity = BlockSeverity(rawValue: try column("severity")) else { throw invalid("severity") }
        guard let state = DomainBlock.State(rawValue: try column("state")) else { throw invalid("state") }
        let evidenceText: String = try column("evidence")
        guard let evidence = try? JSONDecoder().decode([String].self, from: Data(evidenceText.utf8)) else {
            throw invalid("evidence")
        }
        var provenance: BlockProvenance?
        if let kind = try column("origin_kind", as: String?.self) {
            guard
                let origin = BlockProvenance.Origin(kind: kind, name: try column("origin_name", as: String?.self) ?? "")
            else { throw invalid("origin") }
            provenance = BlockProvenance(
                origin: origin, at: try column("origin_at", as: Double?.self).map(Date.init(timeIntervalSince1970:)),
                note: try column("origin_note"))
        }
        let reasons: String = try column("reasons")
        return DomainBlock(
            domain: domain, severity: severity, rejectMedia: try column("reject_media"),
            rejectReports: try column("reject_reports"), privateComment: try column("private_comment"),
            publicComment: try column("public_comment"), obfuscate: try column("obfuscate"),
            reasons: Set(reasons.split(separator: ",").compactMap { BlockReason(rawValue: String($0)) }),
            evidence: evidence, state: state, revision: try column("revision"), provenance: provenance)
    }

    private static func subscriptions(_ query: PostgresQuery, _ connection: PostgresConnection) async throws
        -> [BlocklistSubscription]
    {
        var subscriptions: [BlocklistSubscription] = []
        for try await row in try await connection.query(query, logger: connection.logger) {
            let row = row.makeRandomAccess()
            func column<T: PostgresDecodable>(_ name: String, as type: T.Type = T.self) throws -> T {
                try row[name].decode(T.self)
            }
            let id: String = try column("id")
            func invalid(_ what: String) -> PostgresStoreError {
                PostgresStoreError(
                    code: .failed,
                    message: "the stored subscription `\(id)` has an unknown \(what); the database was written by "
                        + "another program or a newer Herdwatch")
            }
            var format: BlocklistFormat?
            if let text = try column("format", as: String?.self) {
                guard let parsed = BlocklistFormat(rawValue: text) else { throw invalid("format") }
                format = parsed
            }
            guard let cap = BlockSeverity(rawValue: try column("severity_cap")) else { throw invalid("severity cap") }
            let keys: String = try column("public_keys")
            let reasons = try column("trusted_reasons", as: String?.self)
            let autoApply: String = try column("auto_apply")
            subscriptions.append(
                BlocklistSubscription(
                    id: id, url: try column("url"), format: format, token: try column("token"),
                    publicKeys: keys.split(separator: "\n").map(String.init), weight: try column("weight"),
                    severityCap: cap,
                    trustedReasons: reasons.map {
                        Set($0.split(separator: ",").compactMap { BlockReason(rawValue: String($0)) })
                    },
                    priority: try column("priority"),
                    autoApply: Set(
                        autoApply.split(separator: ",").compactMap { BlocklistDraft.Kind(rawValue: String($0)) }),
                    enabled: try column("enabled"), interval: try column("fetch_interval"),
                    createdAt: Date(timeIntervalSince1970: try column("created_at"))))
        }
        return subscriptions
    }

    /// The first column of the first row, if any.
    static func first<T: PostgresDecodable & Sendable>(
        _ type: T.Type, _ query: PostgresQuery, _ connection: PostgresConnection
    ) async throws -> T? {
        for try await value in try await connection.query(query, logger: connection.logger).decode(T.self) {
            return value
        }
        return nil
    }

    // MARK: - Transactions

    /// Runs `body` on one connection of the pool, outside any transaction.
    func read<T: Sendable>(
        _ action: String = "read blocklists from", _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        do {
            return try await database.client.withConnection { connection in try await body(connection) }
        } catch {
            throw Self.mapped(error, doing: action)
        }
    }

    /// Runs `body` in one transaction that first moves `blocklist_version`, holding that row's lock to the commit:
    /// the blocklist writes of every node take their turn, and always take this lock before any entry's, so two
    /// of them never wait on each other.
    func write<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await database.client.withTransaction(logger: database.logger) { connection in
                try await connection.query(
                    "UPDATE blocklist_version SET value = value + 1 WHERE id = 1", logger: database.logger)
                return try await body(connection)
            }
        } catch {
            throw Self.mapped(error, doing: "write blocklists to")
        }
    }

    /// A refusal comes out as it is; anything else as a `PostgresStoreError`.
    static func mapped(_ error: any Error, doing action: String) -> any Error {
        if let error = error as? BlocklistReviewError { return error }
        if let error = error as? PostgresTransactionError, let cause = error.closureError as? BlocklistReviewError {
            return cause
        }
        return PostgreSQLDatabase.storeError(error, doing: action)
    }
}
