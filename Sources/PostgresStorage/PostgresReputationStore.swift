public import Foundation
import NIOCore
import PostgresNIO
public import Reputation

/// `ReputationStore` on PostgreSQL, in the tables the SQLite store uses and the same forms.
///
/// `ReputationStore` is synchronous: each call blocks its thread until PostgreSQL answers (see
/// ``PostgreSQLDatabase/blocking(_:)``), so call it only where blocking is allowed (`Reputation.load`, the
/// server's writer thread). A batch of changes is one transaction.
///
/// Nodes sharing the database write what they added (`ReputationChanges.actorAdditions` and the like): counts are
/// added to the row's in the upsert itself (`activities_seen = actor.activities_seen + excluded.activities_seen`,
/// `LEAST` and `GREATEST` for first and last seen), and a counter's row is locked, merged and written back, so two
/// nodes counting the same actor never overwrite each other's counts.
public struct PostgresReputationStore: ReputationStore {
    let database: PostgreSQLDatabase
    /// The most expired observations one batch deletes, as on SQLite: a long backlog is cleared over many batches.
    public let observationsDeletedPerBatch: Int

    public init(database: PostgreSQLDatabase, observationsDeletedPerBatch: Int = 50_000) {
        self.database = database
        self.observationsDeletedPerBatch = max(observationsDeletedPerBatch, 1)
    }

    /// Several nodes write it: `Reputation` writes additions, which are added to the rows (see ``apply(_:)``).
    public var isShared: Bool { true }

    // MARK: Reading

    public func actors(_ ids: [String]) throws -> [String: ActorRecord] {
        guard !ids.isEmpty else { return [:] }
        return try reading { try await Self.actors(ids, $0) }
    }

    public func domains(_ hosts: [String]) throws -> [String: DomainRecord] {
        guard !hosts.isEmpty else { return [:] }
        return try reading { try await Self.domains(hosts, $0) }
    }

    public func counters(_ keys: [String]) throws -> [String: WindowedCounter] {
        guard !keys.isEmpty else { return [:] }
        return try reading { try await Self.counters(keys, $0) }
    }

    public func labels(scope: LabelRecord.Scope, key: String) throws -> [LabelRecord] {
        try reading { try await Self.labels(scope: scope, key: key, $0) }
    }

    public func lookup(_ request: ReputationLookup) throws -> ReputationSnapshot {
        guard !request.isEmpty else { return ReputationSnapshot() }
        // One transaction on one snapshot of the database, as SQLite's one read transaction.
        return try transaction("read reputation from", snapshot: true) { connection in
            var snapshot = ReputationSnapshot()
            if !request.actorIDs.isEmpty { snapshot.actors = try await Self.actors(request.actorIDs, connection) }
            if !request.hosts.isEmpty { snapshot.domains = try await Self.domains(request.hosts, connection) }
            if !request.counterKeys.isEmpty {
                snapshot.counters = try await Self.counters(request.counterKeys, connection)
            }
            for (scope, key) in request.labels {
                snapshot.labels["\(scope.rawValue):\(key)"] = try await Self.labels(scope: scope, key: key, connection)
            }
            return snapshot
        }
    }

    public func campaign(forBands bands: [UInt64]) throws -> CampaignRecord? {
        guard !bands.isEmpty else { return nil }
        let values = bands.map { Int64(bitPattern: $0) }
        return try reading { connection in
            try await Self.campaigns(
                """
                SELECT \(unescaped: Self.campaignColumns) FROM campaign_band
                JOIN campaign ON campaign.id = campaign_band.campaign
                WHERE campaign_band.band = ANY(\(values))
                    AND campaign.fingerprint_version = \(CampaignFingerprint.version)
                ORDER BY campaign.last_seen DESC LIMIT 1
                """, connection
            ).first
        }
    }

    public func openCampaigns(seenSince date: Date) throws -> [(campaign: CampaignRecord, bands: [UInt64])] {
        let since = date.timeIntervalSince1970
        let found = try transaction("read reputation from", snapshot: true) { connection in
            // Campaigns fingerprinted by another version of the algorithm cannot be compared with new posts.
            let campaigns = try await Self.campaigns(
                """
                SELECT \(unescaped: Self.campaignColumns) FROM campaign
                WHERE last_seen >= \(since) AND fingerprint_version = \(CampaignFingerprint.version)
                """, connection)
            var bands: [Int64: [UInt64]] = [:]
            for try await (band, campaign) in try await connection.query(
                """
                SELECT campaign_band.band, campaign_band.campaign FROM campaign_band
                JOIN campaign ON campaign.id = campaign_band.campaign
                WHERE campaign.last_seen >= \(since) AND campaign.fingerprint_version = \(CampaignFingerprint.version)
                """, logger: connection.logger
            ).decode((Int64, Int64).self) {
                bands[campaign, default: []].append(UInt64(bitPattern: band))
            }
            return campaigns.map { OpenCampaign(campaign: $0, bands: bands[$0.id] ?? []) }
        }
        return found.map { ($0.campaign, $0.bands) }
    }

    public func shadowHits(sinceDay day: Int) throws -> (evaluated: Int, hits: [String: Int]) {
        let found = try reading { connection in
            var evaluated = 0
            for try await sum in try await connection.query(
                "SELECT COALESCE(SUM(evaluated), 0)::BIGINT FROM evaluation_day WHERE day >= \(day)",
                logger: connection.logger
            ).decode(Int.self) {
                evaluated = sum
            }
            var hits: [String: Int] = [:]
            for try await (rule, count) in try await connection.query(
                "SELECT rule, SUM(hits)::BIGINT FROM shadow_hit WHERE day >= \(day) GROUP BY rule",
                logger: connection.logger
            ).decode((String, Int).self) {
                hits[rule] = count
            }
            return ShadowHits(evaluated: evaluated, hits: hits)
        }
        return (found.evaluated, found.hits)
    }

    public func observations(limit: Int) throws -> [ObservationRecord] {
        let limit = max(0, limit)
        return try reading { connection in
            var records: [ObservationRecord] = []
            for try await (at, activityID, activityType, actorID, actorHost, action, score, rules, signature, body)
                in try await connection.query(
                    """
                    SELECT at, activity_id, activity_type, actor_id, actor_host, action, score, rules, signature, body
                    FROM observation ORDER BY id DESC LIMIT \(limit)
                    """, logger: connection.logger
                ).decode((Double, String?, String, String, String, String, Double, String, String, ByteBuffer?).self)
            {
                records.append(
                    ObservationRecord(
                        at: Date(timeIntervalSince1970: at), activityID: activityID, activityType: activityType,
                        actorID: actorID, actorHost: actorHost, action: action, score: score,
                        rules: rules.split(separator: " ").map(String.init),
                        signature: SignatureStatus(rawValue: signature) ?? .unsigned,
                        body: body.map { Array($0.readableBytesView) }))
            }
            return records
        }
    }

    private struct OpenCampaign: Sendable {
        var campaign: CampaignRecord
        var bands: [UInt64]
    }

    private struct ShadowHits: Sendable {
        var evaluated: Int
        var hits: [String: Int]
    }

    private static let actorColumns =
        "id, host, first_seen, last_seen, published, activities_seen, accepted, flagged, held, rejected, "
        + "spam, spam_at, ham, ham_at"

    static func actors(_ ids: [String], _ connection: PostgresConnection) async throws -> [String: ActorRecord] {
        var found: [String: ActorRecord] = [:]
        let rows = try await connection.query(
            "SELECT \(unescaped: actorColumns) FROM actor WHERE id = ANY(\(ids))", logger: connection.logger)
        for try await (
            id, host, firstSeen, lastSeen, published, seen, accepted, flagged, held, rejected, spam, spamAt,
            ham, hamAt
        ) in rows.decode(
            (String, String, Double?, Double, Double?, Int, Int, Int, Int, Int, Double, Double, Double, Double).self)
        {
            var actor = ActorRecord(id: id, host: host, lastSeen: Date(timeIntervalSince1970: lastSeen))
            actor.firstSeen = firstSeen.map(Date.init(timeIntervalSince1970:))
            actor.published = published.map(Date.init(timeIntervalSince1970:))
            actor.activitiesSeen = seen
            actor.accepted = accepted
            actor.flagged = flagged
            actor.held = held
            actor.rejected = rejected
            actor.confirmedSpam = DecayingCount(value: spam, updatedAt: Date(timeIntervalSince1970: spamAt))
            actor.confirmedHam = DecayingCount(value: ham, updatedAt: Date(timeIntervalSince1970: hamAt))
            found[id] = actor
        }
        return found
    }

    private static let domainColumns =
        "host, first_seen, last_seen, actors_seen, activities_seen, held_or_rejected, spam, spam_at, ham, ham_at, "
        + "peer_listed"

    static func domains(_ hosts: [String], _ connection: PostgresConnection) async throws -> [String: DomainRecord] {
        var found: [String: DomainRecord] = [:]
        let rows = try await connection.query(
            "SELECT \(unescaped: domainColumns) FROM domain WHERE host = ANY(\(hosts))", logger: connection.logger)
        for try await (host, firstSeen, lastSeen, actorsSeen, seen, heldOrRejected, spam, spamAt, ham, hamAt, listed)
            in rows.decode((String, Double?, Double, Int, Int, Int, Double, Double, Double, Double, Bool).self)
        {
            var domain = DomainRecord(host: host, lastSeen: Date(timeIntervalSince1970: lastSeen))
            domain.firstSeen = firstSeen.map(Date.init(timeIntervalSince1970:))
            domain.actorsSeen = actorsSeen
            domain.activitiesSeen = seen
            domain.heldOrRejected = heldOrRejected
            domain.confirmedSpam = DecayingCount(value: spam, updatedAt: Date(timeIntervalSince1970: spamAt))
            domain.confirmedHam = DecayingCount(value: ham, updatedAt: Date(timeIntervalSince1970: hamAt))
            domain.peerListed = listed
            found[host] = domain
        }
        return found
    }

    static func counters(_ keys: [String], _ connection: PostgresConnection) async throws -> [String: WindowedCounter] {
        var found: [String: WindowedCounter] = [:]
        for try await (key, buckets) in try await connection.query(
            "SELECT key, buckets FROM counter WHERE key = ANY(\(keys))", logger: connection.logger
        ).decode((String, ByteBuffer).self) {
            found[key] = WindowedCounter(encoded: Array(buckets.readableBytesView))
        }
        return found
    }

    static func labels(scope: LabelRecord.Scope, key: String, _ connection: PostgresConnection) async throws
        -> [LabelRecord]
    {
        var found: [LabelRecord] = []
        for try await (label, expiresAt) in try await connection.query(
            "SELECT label, expires_at FROM label WHERE scope = \(scope.rawValue) AND key = \(key) ORDER BY label",
            logger: connection.logger
        ).decode((String, Double?).self) {
            found.append(
                LabelRecord(
                    scope: scope, key: key, label: label, expiresAt: expiresAt.map(Date.init(timeIntervalSince1970:))))
        }
        return found
    }

    private static let campaignColumns =
        "campaign.id, campaign.first_seen, campaign.last_seen, campaign.size, campaign.actors, campaign.domains, "
        + "campaign.signature"

    private static func campaigns(_ query: PostgresQuery, _ connection: PostgresConnection) async throws
        -> [CampaignRecord]
    {
        var found: [CampaignRecord] = []
        for try await (id, firstSeen, lastSeen, size, actors, domains, signature) in try await connection.query(
            query, logger: connection.logger
        ).decode((Int64, Double, Double, Int, String, String, ByteBuffer).self) {
            var campaign = CampaignRecord(id: id, firstSeen: Date(timeIntervalSince1970: firstSeen))
            campaign.lastSeen = Date(timeIntervalSince1970: lastSeen)
            campaign.size = size
            campaign.actors = Set(actors.split(separator: "\n").map(String.init))
            campaign.domains = Set(domains.split(separator: "\n").map(String.init))
            let bytes = Array(signature.readableBytesView)
            campaign.signature = stride(from: 0, to: bytes.count - 3, by: 4).map { offset in
                bytes[offset..<offset + 4].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            }
            found.append(campaign)
        }
        return found
    }

    // MARK: Writing

    public func apply(_ changes: ReputationChanges) throws {
        let deletedPerBatch = observationsDeletedPerBatch
        try transaction("write reputation to") { connection in
            try await Self.write(changes, observationsDeletedPerBatch: deletedPerBatch, connection)
        }
    }

    private static func write(
        _ changes: ReputationChanges, observationsDeletedPerBatch: Int, _ connection: PostgresConnection
    ) async throws {
        let logger = connection.logger
        // Rows in key order, so that two nodes writing overlapping batches lock them in the same order.
        for record in changes.actors.sorted(by: { $0.id < $1.id }) {
            try await connection.query(
                """
                INSERT INTO actor (\(unescaped: actorColumns))
                VALUES (\(record.id), \(record.host), \(record.firstSeen?.timeIntervalSince1970),
                    \(record.lastSeen.timeIntervalSince1970), \(record.published?.timeIntervalSince1970),
                    \(record.activitiesSeen), \(record.accepted), \(record.flagged), \(record.held), \(record.rejected),
                    \(record.confirmedSpam.value), \(record.confirmedSpam.updatedAt.timeIntervalSince1970),
                    \(record.confirmedHam.value), \(record.confirmedHam.updatedAt.timeIntervalSince1970))
                ON CONFLICT (id) DO UPDATE SET host = excluded.host, first_seen = excluded.first_seen,
                    last_seen = excluded.last_seen, published = excluded.published,
                    activities_seen = excluded.activities_seen, accepted = excluded.accepted,
                    flagged = excluded.flagged, held = excluded.held, rejected = excluded.rejected,
                    spam = excluded.spam, spam_at = excluded.spam_at, ham = excluded.ham, ham_at = excluded.ham_at
                """, logger: logger)
        }
        for record in changes.domains.sorted(by: { $0.host < $1.host }) {
            try await connection.query(
                """
                INSERT INTO domain (\(unescaped: domainColumns))
                VALUES (\(record.host), \(record.firstSeen?.timeIntervalSince1970),
                    \(record.lastSeen.timeIntervalSince1970), \(record.actorsSeen), \(record.activitiesSeen),
                    \(record.heldOrRejected), \(record.confirmedSpam.value),
                    \(record.confirmedSpam.updatedAt.timeIntervalSince1970), \(record.confirmedHam.value),
                    \(record.confirmedHam.updatedAt.timeIntervalSince1970), \(record.peerListed))
                ON CONFLICT (host) DO UPDATE SET first_seen = excluded.first_seen, last_seen = excluded.last_seen,
                    actors_seen = excluded.actors_seen, activities_seen = excluded.activities_seen,
                    held_or_rejected = excluded.held_or_rejected, spam = excluded.spam, spam_at = excluded.spam_at,
                    ham = excluded.ham, ham_at = excluded.ham_at, peer_listed = excluded.peer_listed
                """, logger: logger)
        }
        for (key, counter) in changes.counters.sorted(by: { $0.key < $1.key }) {
            try await connection.query(
                """
                INSERT INTO counter (key, buckets) VALUES (\(key), \(ByteBuffer(bytes: counter.encoded)))
                ON CONFLICT (key) DO UPDATE SET buckets = excluded.buckets
                """, logger: logger)
        }
        try await writeAdditions(changes, connection)
        for record in changes.campaigns.sorted(by: { $0.id < $1.id }) {
            var signature = ByteBuffer()
            for value in record.signature { signature.writeInteger(value, endianness: .little) }
            try await connection.query(
                """
                INSERT INTO campaign (id, first_seen, last_seen, size, actors, domains, signature, fingerprint_version)
                VALUES (\(record.id), \(record.firstSeen.timeIntervalSince1970), \(record.lastSeen.timeIntervalSince1970),
                    \(record.size), \(record.actors.sorted().joined(separator: "\n")),
                    \(record.domains.sorted().joined(separator: "\n")), \(signature), \(CampaignFingerprint.version))
                ON CONFLICT (id) DO UPDATE SET first_seen = excluded.first_seen, last_seen = excluded.last_seen,
                    size = excluded.size, actors = excluded.actors, domains = excluded.domains,
                    signature = excluded.signature, fingerprint_version = excluded.fingerprint_version
                """, logger: logger)
        }
        for (band, campaign) in changes.bands {
            try await connection.query(
                """
                INSERT INTO campaign_band (band, campaign) VALUES (\(Int64(bitPattern: band)), \(campaign))
                ON CONFLICT (band) DO UPDATE SET campaign = excluded.campaign
                """, logger: logger)
        }
        for label in changes.labels {
            try await connection.query(
                """
                INSERT INTO label (scope, key, label, expires_at)
                VALUES (\(label.scope.rawValue), \(label.key), \(label.label), \(label.expiresAt?.timeIntervalSince1970))
                ON CONFLICT (scope, key, label) DO UPDATE SET expires_at = excluded.expires_at
                """, logger: logger)
        }
        for record in changes.observations {
            try await connection.query(
                """
                INSERT INTO observation (at, activity_id, activity_type, actor_id, actor_host, action, score, rules,
                    signature, body)
                VALUES (\(record.at.timeIntervalSince1970), \(record.activityID), \(record.activityType),
                    \(record.actorID), \(record.actorHost), \(record.action), \(record.score),
                    \(record.rules.joined(separator: " ")), \(record.signature.rawValue),
                    \(record.body.map { ByteBuffer(bytes: $0) }))
                """, logger: logger)
        }
        if let since = changes.keepObservationsSince {
            // As on SQLite: rows go in in the order observations were made, so the expired ones are a prefix by
            // id, and only the first `observationsDeletedPerBatch` ids are looked at.
            let since = since.timeIntervalSince1970
            try await connection.query(
                """
                DELETE FROM observation WHERE id < COALESCE(
                    (SELECT id FROM observation
                        WHERE id < (SELECT MIN(id) FROM observation) + \(observationsDeletedPerBatch) AND at >= \(since)
                        ORDER BY id LIMIT 1),
                    (SELECT MIN(id) FROM observation) + \(observationsDeletedPerBatch), 0)
                """, logger: logger)
        }
        if let limit = changes.keepObservationsAtMost {
            // As on SQLite: the newest `limit` ids stay, at most `observationsDeletedPerBatch` older ones go.
            let limit = max(limit, 0)
            try await connection.query(
                """
                DELETE FROM observation WHERE id < LEAST(
                    (SELECT MAX(id) FROM observation) - \(limit) + 1,
                    (SELECT MIN(id) FROM observation) + \(observationsDeletedPerBatch))
                """, logger: logger)
        }
        for (day, count) in changes.evaluated.sorted(by: { $0.key < $1.key }) {
            try await connection.query(
                """
                INSERT INTO evaluation_day (day, evaluated) VALUES (\(day), \(count))
                ON CONFLICT (day) DO UPDATE SET evaluated = evaluation_day.evaluated + excluded.evaluated
                """, logger: logger)
        }
        for (day, rules) in changes.shadowHits.sorted(by: { $0.key < $1.key }) {
            for (rule, hits) in rules.sorted(by: { $0.key < $1.key }) {
                try await connection.query(
                    """
                    INSERT INTO shadow_hit (rule, day, hits) VALUES (\(rule), \(day), \(hits))
                    ON CONFLICT (rule, day) DO UPDATE SET hits = shadow_hit.hits + excluded.hits
                    """, logger: logger)
            }
        }
    }

    /// Adds a shared store's additions to the rows: actors, then domains, then counters, each in key order, so that
    /// nodes writing at once lock rows in one order.
    private static func writeAdditions(_ changes: ReputationChanges, _ connection: PostgresConnection) async throws {
        let logger = connection.logger
        // Decaying counts add as `DecayingCount.add(_:halfLife:)` does: both decayed to the later date. The exponent
        // is capped so that a count left for centuries decays to almost nothing rather than underflow (an error in
        // PostgreSQL).
        let halfLife = changes.decisionHalfLife > 0 ? changes.decisionHalfLife : Double.infinity
        func decayed(_ table: String, _ column: String) -> String {
            let later = "GREATEST(\(table).\(column)_at, excluded.\(column)_at)"
            func part(_ side: String) -> String {
                """
                CASE WHEN \(side).\(column) = 0 THEN 0
                    ELSE \(side).\(column) * power(0.5, LEAST(500, (\(later) - \(side).\(column)_at) / $1)) END
                """
            }
            return """
                \(column) = CASE WHEN excluded.\(column) = 0 THEN \(table).\(column)
                    ELSE \(part(table)) + \(part("excluded")) END,
                \(column)_at = CASE WHEN excluded.\(column) = 0 THEN \(table).\(column)_at ELSE \(later) END
                """
        }
        // Built from names only: every value is bound.
        let actorUpsert = """
            INSERT INTO actor (\(actorColumns))
            VALUES ($2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
            ON CONFLICT (id) DO UPDATE SET host = excluded.host,
                first_seen = LEAST(actor.first_seen, excluded.first_seen),
                last_seen = GREATEST(actor.last_seen, excluded.last_seen),
                published = COALESCE(excluded.published, actor.published),
                activities_seen = actor.activities_seen + excluded.activities_seen,
                accepted = actor.accepted + excluded.accepted, flagged = actor.flagged + excluded.flagged,
                held = actor.held + excluded.held, rejected = actor.rejected + excluded.rejected,
                \(decayed("actor", "spam")), \(decayed("actor", "ham"))
            """
        let domainUpsert = """
            INSERT INTO domain (\(domainColumns)) VALUES ($2, $3, $4, $5, $6, $7, $8, $9, $10, $11, FALSE)
            ON CONFLICT (host) DO UPDATE SET first_seen = LEAST(domain.first_seen, excluded.first_seen),
                last_seen = GREATEST(domain.last_seen, excluded.last_seen),
                actors_seen = domain.actors_seen + excluded.actors_seen,
                activities_seen = domain.activities_seen + excluded.activities_seen,
                held_or_rejected = domain.held_or_rejected + excluded.held_or_rejected,
                \(decayed("domain", "spam")), \(decayed("domain", "ham"))
            """
        for record in changes.actorAdditions.sorted(by: { $0.id < $1.id }) {
            var query = PostgresQuery(unsafeSQL: actorUpsert)
            query.binds.append(halfLife)
            query.binds.append(record.id)
            query.binds.append(record.host)
            query.binds.append(record.firstSeen?.timeIntervalSince1970)
            query.binds.append(record.lastSeen.timeIntervalSince1970)
            query.binds.append(record.published?.timeIntervalSince1970)
            for count in [record.activitiesSeen, record.accepted, record.flagged, record.held, record.rejected] {
                query.binds.append(count)
            }
            for count in [record.confirmedSpam, record.confirmedHam] {
                query.binds.append(count.value)
                query.binds.append(count.updatedAt.timeIntervalSince1970)
            }
            try await connection.query(query, logger: logger)
        }
        for record in changes.domainAdditions.sorted(by: { $0.host < $1.host }) {
            var query = PostgresQuery(unsafeSQL: domainUpsert)
            query.binds.append(halfLife)
            query.binds.append(record.host)
            query.binds.append(record.firstSeen?.timeIntervalSince1970)
            query.binds.append(record.lastSeen.timeIntervalSince1970)
            for count in [record.actorsSeen, record.activitiesSeen, record.heldOrRejected] { query.binds.append(count) }
            for count in [record.confirmedSpam, record.confirmedHam] {
                query.binds.append(count.value)
                query.binds.append(count.updatedAt.timeIntervalSince1970)
            }
            try await connection.query(query, logger: logger)
        }
        for (host, listed) in changes.peerListings.sorted(by: { $0.host < $1.host }) {
            try await connection.query(
                "UPDATE domain SET peer_listed = \(listed) WHERE host = \(host)", logger: logger)
        }
        for (key, additions) in changes.counterAdditions.sorted(by: { $0.key < $1.key }) {
            // The upsert locks the row (made empty when new) and returns what it holds, committed by any node.
            var stored = WindowedCounter()
            for try await buckets in try await connection.query(
                """
                INSERT INTO counter (key, buckets) VALUES (\(key), \(ByteBuffer()))
                ON CONFLICT (key) DO UPDATE SET key = excluded.key RETURNING buckets
                """, logger: logger
            ).decode(ByteBuffer.self) {
                stored = WindowedCounter(encoded: Array(buckets.readableBytesView))
            }
            stored.add(additions)
            try await connection.query(
                "UPDATE counter SET buckets = \(ByteBuffer(bytes: stored.encoded)) WHERE key = \(key)", logger: logger)
        }
    }

    // MARK: Running

    /// Runs `body` on one connection of the pool, outside any transaction, blocking until it is done.
    private func reading<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) throws -> T {
        let database = database
        do {
            return try database.blocking {
                try await database.client.withConnection { connection in try await body(connection) }
            }
        } catch {
            throw PostgreSQLDatabase.storeError(error, doing: "read reputation from")
        }
    }

    /// Runs `body` in one transaction, blocking until it is committed; with `snapshot`, a read-only one that sees
    /// the database as it was when it began.
    @discardableResult
    private func transaction<T: Sendable>(
        _ action: String, snapshot: Bool = false,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) throws -> T {
        let database = database
        do {
            return try database.blocking {
                try await database.client.withTransaction(logger: database.logger) { connection in
                    if snapshot {
                        try await connection.query(
                            "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: database.logger)
                    }
                    return try await body(connection)
                }
            }
        } catch {
            throw PostgreSQLDatabase.storeError(error, doing: action)
        }
    }
}
