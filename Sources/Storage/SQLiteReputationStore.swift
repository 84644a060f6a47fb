public import Foundation
import GRDB
public import Reputation
import Synchronization

/// `ReputationStore` on the SQLite database.
public final class SQLiteReputationStore: ReputationStore {
    public let database: SQLiteDatabase
    /// The most expired observations one batch deletes. A database that has kept years of them (before the
    /// retention existed, or after it was lengthened) is cleared over many batches, a bounded amount of work each,
    /// rather than in one long transaction.
    public let observationsDeletedPerBatch: Int
    /// Rows of each of `actor`, `counter` and `label` that one batch with `ReputationChanges.pruning` looks at
    /// for stale ones. The sweep goes round each table in key order, from where the last batch stopped, so its cost
    /// per batch is fixed whatever the table's size; at the default, a batch of 2,000 activities sweeps 5,000 rows,
    /// and a table holds at most about twice its live rows.
    public let rowsSweptPerBatch: Int
    /// Where the next sweep of each table starts (after this key); in memory only, a new process starts over.
    private let sweep = Mutex(SweepPosition())

    private struct SweepPosition {
        var actor = ""
        var counter = ""
        var label: Int64 = 0
    }

    public init(database: SQLiteDatabase, observationsDeletedPerBatch: Int = 50_000, rowsSweptPerBatch: Int = 5_000) {
        self.database = database
        self.observationsDeletedPerBatch = max(observationsDeletedPerBatch, 1)
        self.rowsSweptPerBatch = max(rowsSweptPerBatch, 1)
    }

    private func read<T>(_ body: (GRDB.Database) throws -> T) throws -> T {
        do {
            return try database.blockingRead(body)
        } catch {
            throw SQLiteDatabase.storageError(error, path: database.path, doing: "read")
        }
    }

    private static func date(_ value: Double?) -> Date? { value.map(Date.init(timeIntervalSince1970:)) }

    public func actors(_ ids: [String]) throws -> [String: ActorRecord] {
        try read { db in try Self.actors(ids, db) }
    }

    public func domains(_ hosts: [String]) throws -> [String: DomainRecord] {
        try read { db in try Self.domains(hosts, db) }
    }

    public func counters(_ keys: [String]) throws -> [String: WindowedCounter] {
        try read { db in try Self.counters(keys, db) }
    }

    public func campaign(forBands bands: [UInt64]) throws -> CampaignRecord? {
        try read { db in try Self.campaign(forBands: bands, db) }
    }

    public func labels(scope: LabelRecord.Scope, key: String) throws -> [LabelRecord] {
        try read { db in try Self.labels(scope: scope, key: key, db) }
    }

    public func openCampaigns(seenSince date: Date) throws -> [(campaign: CampaignRecord, bands: [UInt64])] {
        try read { db in
            // Campaigns fingerprinted by another version of the algorithm cannot be compared with new posts.
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM campaign WHERE last_seen >= ? AND fingerprint_version = ?",
                arguments: [date.timeIntervalSince1970, CampaignFingerprint.version])
            var bands: [Int64: [UInt64]] = [:]
            let bandRows = try Row.fetchAll(
                db,
                sql: """
                    SELECT campaign_band.band, campaign_band.campaign FROM campaign_band JOIN campaign ON campaign.id = campaign_band.campaign
                    WHERE campaign.last_seen >= ? AND campaign.fingerprint_version = ?
                    """,
                arguments: [date.timeIntervalSince1970, CampaignFingerprint.version])
            for row in bandRows {
                let band: Int64 = row["band"]
                bands[row["campaign"], default: []].append(UInt64(bitPattern: band))
            }
            return rows.map { row in
                let campaign = Self.campaign(from: row)
                return (campaign, bands[campaign.id] ?? [])
            }
        }
    }

    public func lookup(_ request: ReputationLookup) throws -> ReputationSnapshot {
        guard !request.isEmpty else { return ReputationSnapshot() }
        return try read { db in
            var snapshot = ReputationSnapshot()
            snapshot.actors = try Self.actors(request.actorIDs, db)
            snapshot.domains = try Self.domains(request.hosts, db)
            snapshot.counters = try Self.counters(request.counterKeys, db)
            for (scope, key) in request.labels {
                snapshot.labels["\(scope.rawValue):\(key)"] = try Self.labels(scope: scope, key: key, db)
            }
            return snapshot
        }
    }

    private static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ",")
    }

    private static func actors(_ ids: [String], _ db: GRDB.Database) throws -> [String: ActorRecord] {
        guard !ids.isEmpty else { return [:] }
        do {
            let rows = try Row.fetchAll(
                try db.cachedStatement(sql: "SELECT * FROM actor WHERE id IN (\(placeholders(ids.count)))"),
                arguments: StatementArguments(ids))
            return rows.reduce(into: [:]) { result, row in
                var actor = ActorRecord(id: row["id"], host: row["host"], lastSeen: Date(timeIntervalSince1970: row["last_seen"]))
                actor.firstSeen = Self.date(row["first_seen"])
                actor.published = Self.date(row["published"])
                actor.activitiesSeen = row["activities_seen"]
                actor.accepted = row["accepted"]
                actor.flagged = row["flagged"]
                actor.held = row["held"]
                actor.rejected = row["rejected"]
                actor.confirmedSpam = DecayingCount(value: row["spam"], updatedAt: Date(timeIntervalSince1970: row["spam_at"]))
                actor.confirmedHam = DecayingCount(value: row["ham"], updatedAt: Date(timeIntervalSince1970: row["ham_at"]))
                result[actor.id] = actor
            }
        }
    }

    private static func domains(_ hosts: [String], _ db: GRDB.Database) throws -> [String: DomainRecord] {
        guard !hosts.isEmpty else { return [:] }
        do {
            let rows = try Row.fetchAll(
                try db.cachedStatement(sql: "SELECT * FROM domain WHERE host IN (\(placeholders(hosts.count)))"),
                arguments: StatementArguments(hosts))
            return rows.reduce(into: [:]) { result, row in
                var domain = DomainRecord(host: row["host"], lastSeen: Date(timeIntervalSince1970: row["last_seen"]))
                domain.firstSeen = Self.date(row["first_seen"])
                domain.actorsSeen = row["actors_seen"]
                domain.activitiesSeen = row["activities_seen"]
                domain.heldOrRejected = row["held_or_rejected"]
                domain.confirmedSpam = DecayingCount(value: row["spam"], updatedAt: Date(timeIntervalSince1970: row["spam_at"]))
                domain.confirmedHam = DecayingCount(value: row["ham"], updatedAt: Date(timeIntervalSince1970: row["ham_at"]))
                domain.peerListed = row["peer_listed"]
                result[domain.host] = domain
            }
        }
    }

    private static func counters(_ keys: [String], _ db: GRDB.Database) throws -> [String: WindowedCounter] {
        guard !keys.isEmpty else { return [:] }
        do {
            let rows = try Row.fetchAll(
                try db.cachedStatement(sql: "SELECT key, buckets FROM counter WHERE key IN (\(placeholders(keys.count)))"),
                arguments: StatementArguments(keys))
            return rows.reduce(into: [:]) { result, row in
                let data: Data = row["buckets"]
                result[row["key"]] = WindowedCounter(encoded: Array(data))
            }
        }
    }

    private static func campaign(forBands bands: [UInt64], _ db: GRDB.Database) throws -> CampaignRecord? {
        guard !bands.isEmpty else { return nil }
        do {
            guard
                let row = try Row.fetchOne(
                    try db.cachedStatement(
                        sql: """
                            SELECT campaign.* FROM campaign_band JOIN campaign ON campaign.id = campaign_band.campaign
                            WHERE campaign_band.band IN (\(placeholders(bands.count))) AND campaign.fingerprint_version = ?
                            ORDER BY campaign.last_seen DESC LIMIT 1
                            """),
                    arguments: StatementArguments(bands.map { Int64(bitPattern: $0) } + [Int64(CampaignFingerprint.version)]))
            else { return nil }
            return Self.campaign(from: row)
        }
    }

    private static func campaign(from row: Row) -> CampaignRecord {
        var campaign = CampaignRecord(id: row["id"], firstSeen: Date(timeIntervalSince1970: row["first_seen"]))
        campaign.lastSeen = Date(timeIntervalSince1970: row["last_seen"])
        campaign.size = row["size"]
        campaign.actors = Set((row["actors"] as String).split(separator: "\n").map(String.init))
        campaign.domains = Set((row["domains"] as String).split(separator: "\n").map(String.init))
        let signature: Data? = row["signature"]
        campaign.signature = signature.map { data in
            stride(from: 0, to: data.count - 3, by: 4).map { offset in
                data[data.startIndex + offset..<data.startIndex + offset + 4].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            }
        } ?? []
        return campaign
    }

    private static func labels(scope: LabelRecord.Scope, key: String, _ db: GRDB.Database) throws -> [LabelRecord] {
        do {
            return try Row.fetchAll(
                try db.cachedStatement(sql: "SELECT label, expires_at FROM label WHERE scope = ? AND key = ?"),
                arguments: [scope.rawValue, key]
            ).map { row in
                LabelRecord(scope: scope, key: key, label: row["label"], expiresAt: Self.date(row["expires_at"]))
            }
        }
    }

    public func apply(_ changes: ReputationChanges) throws {
        do {
            try database.pool.write { db in
                let actor = try db.cachedStatement(
                    sql: """
                        INSERT INTO actor (id, host, first_seen, last_seen, published, activities_seen, accepted,
                            flagged, held, rejected, spam, spam_at, ham, ham_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (id) DO UPDATE SET host = excluded.host, first_seen = excluded.first_seen,
                            last_seen = excluded.last_seen, published = excluded.published,
                            activities_seen = excluded.activities_seen, accepted = excluded.accepted,
                            flagged = excluded.flagged, held = excluded.held, rejected = excluded.rejected,
                            spam = excluded.spam, spam_at = excluded.spam_at, ham = excluded.ham, ham_at = excluded.ham_at
                        """)
                for record in changes.actors {
                    try actor.execute(arguments: [
                        record.id, record.host, record.firstSeen?.timeIntervalSince1970, record.lastSeen.timeIntervalSince1970,
                        record.published?.timeIntervalSince1970, record.activitiesSeen, record.accepted, record.flagged,
                        record.held, record.rejected, record.confirmedSpam.value,
                        record.confirmedSpam.updatedAt.timeIntervalSince1970, record.confirmedHam.value,
                        record.confirmedHam.updatedAt.timeIntervalSince1970,
                    ])
                }
                let domain = try db.cachedStatement(
                    sql: """
                        INSERT INTO domain (host, first_seen, last_seen, actors_seen, activities_seen,
                            held_or_rejected, spam, spam_at, ham, ham_at, peer_listed)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (host) DO UPDATE SET first_seen = excluded.first_seen, last_seen = excluded.last_seen,
                            actors_seen = excluded.actors_seen, activities_seen = excluded.activities_seen,
                            held_or_rejected = excluded.held_or_rejected, spam = excluded.spam, spam_at = excluded.spam_at,
                            ham = excluded.ham, ham_at = excluded.ham_at, peer_listed = excluded.peer_listed
                        """)
                for record in changes.domains {
                    try domain.execute(arguments: [
                        record.host, record.firstSeen?.timeIntervalSince1970, record.lastSeen.timeIntervalSince1970,
                        record.actorsSeen, record.activitiesSeen, record.heldOrRejected, record.confirmedSpam.value,
                        record.confirmedSpam.updatedAt.timeIntervalSince1970, record.confirmedHam.value,
                        record.confirmedHam.updatedAt.timeIntervalSince1970, record.peerListed,
                    ])
                }
                let counter = try db.cachedStatement(sql: "INSERT INTO counter (key, buckets) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET buckets = excluded.buckets")
                for (key, value) in changes.counters {
                    try counter.execute(arguments: [key, Data(value.encoded)])
                }
                let campaign = try db.cachedStatement(
                    sql: """
                        INSERT OR REPLACE INTO campaign (id, first_seen, last_seen, size, actors, domains, signature, fingerprint_version)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                for record in changes.campaigns {
                    var signature = Data(capacity: record.signature.count * 4)
                    for value in record.signature { withUnsafeBytes(of: value.littleEndian) { signature.append(contentsOf: $0) } }
                    try campaign.execute(arguments: [
                        record.id, record.firstSeen.timeIntervalSince1970, record.lastSeen.timeIntervalSince1970, record.size,
                        record.actors.sorted().joined(separator: "\n"), record.domains.sorted().joined(separator: "\n"), signature,
                        CampaignFingerprint.version,
                    ])
                }
                let band = try db.cachedStatement(sql: "INSERT OR REPLACE INTO campaign_band (band, campaign) VALUES (?, ?)")
                for (value, id) in changes.bands {
                    try band.execute(arguments: [Int64(bitPattern: value), id])
                }
                let label = try db.cachedStatement(
                    sql: "INSERT OR REPLACE INTO label (scope, key, label, expires_at) VALUES (?, ?, ?, ?)")
                for record in changes.labels {
                    try label.execute(arguments: [
                        record.scope.rawValue, record.key, record.label, record.expiresAt?.timeIntervalSince1970,
                    ])
                }
                let observation = try db.cachedStatement(
                    sql: """
                        INSERT INTO observation (at, activity_id, activity_type, actor_id, actor_host, action, score, rules,
                            signature, body)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                for record in changes.observations {
                    try observation.execute(arguments: [
                        record.at.timeIntervalSince1970, record.activityID, record.activityType, record.actorID,
                        record.actorHost, record.action, record.score, record.rules.joined(separator: " "),
                        record.signature.rawValue, record.body.map { Data($0) },
                    ])
                }
                if let since = changes.keepObservationsSince {
                    // Rows go in in the order observations were made, so the expired ones are a prefix by id. Only
                    // the first `observationsDeletedPerBatch` ids are looked at: the scan for the first row to keep
                    // reads no more than it may delete, and needs no index on `at`.
                    try db.cachedStatement(
                        sql: """
                            DELETE FROM observation WHERE id < COALESCE(
                                (SELECT id FROM observation
                                    WHERE id < (SELECT MIN(id) FROM observation) + ?1 AND at >= ?2 ORDER BY id LIMIT 1),
                                (SELECT MIN(id) FROM observation) + ?1, 0)
                            """
                    ).execute(arguments: [observationsDeletedPerBatch, since.timeIntervalSince1970])
                }
                if let limit = changes.keepObservationsAtMost {
                    // The newest `limit` ids stay; at most `observationsDeletedPerBatch` older ones go per batch.
                    try db.cachedStatement(
                        sql: """
                            DELETE FROM observation WHERE id < min(
                                (SELECT MAX(id) FROM observation) - ?1 + 1, (SELECT MIN(id) FROM observation) + ?2)
                            """
                    ).execute(arguments: [max(limit, 0), observationsDeletedPerBatch])
                }
                if let pruning = changes.pruning { try prune(pruning, db) }
                let evaluated = try db.cachedStatement(
                    sql: """
                        INSERT INTO evaluation_day (day, evaluated) VALUES (?, ?)
                        ON CONFLICT (day) DO UPDATE SET evaluated = evaluated + excluded.evaluated
                        """)
                for (day, count) in changes.evaluated {
                    try evaluated.execute(arguments: [day, count])
                }
                let shadow = try db.cachedStatement(
                    sql: """
                        INSERT INTO shadow_hit (rule, day, hits) VALUES (?, ?, ?)
                        ON CONFLICT (rule, day) DO UPDATE SET hits = hits + excluded.hits
                        """)
                for (day, rules) in changes.shadowHits {
                    for (rule, hits) in rules { try shadow.execute(arguments: [rule, day, hits]) }
                }
            }
        } catch {
            throw SQLiteDatabase.storageError(error, path: database.path, doing: "write")
        }
    }

    /// Deletes the stale rows (`ReputationPruning`) among the next `rowsSweptPerBatch` of each table.
    private func prune(_ pruning: ReputationPruning, _ db: GRDB.Database) throws {
        var position = sweep.withLock { $0 }
        let now = pruning.now.timeIntervalSince1970
        if let before = pruning.actorsSeenBefore {
            // The slice ends at its last key; none means the table ends within it, and the next sweep starts over.
            let end = try String.fetchOne(
                db.cachedStatement(sql: "SELECT id FROM actor WHERE id > ? ORDER BY id LIMIT 1 OFFSET ?"),
                arguments: [position.actor, rowsSweptPerBatch - 1])
            try db.cachedStatement(
                sql: """
                    DELETE FROM actor WHERE id > ?1 AND (?2 IS NULL OR id <= ?2) AND spam = 0 AND ham = 0
                        AND last_seen < ?3
                    """
            ).execute(arguments: [position.actor, end, before.timeIntervalSince1970])
            position.actor = end ?? ""
        }
        // Whether a counter is spent is in its buckets, so the slice is read and decoded here.
        let counters = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT key, buckets FROM counter WHERE key > ? ORDER BY key LIMIT ?"),
            arguments: [position.counter, rowsSweptPerBatch])
        let deleteCounter = try db.cachedStatement(sql: "DELETE FROM counter WHERE key = ?")
        for row in counters {
            let data: Data = row["buckets"]
            if pruning.isStale(WindowedCounter(encoded: Array(data))) {
                try deleteCounter.execute(arguments: [row["key"] as String])
            }
        }
        position.counter = counters.count < rowsSweptPerBatch ? "" : counters.last?["key"] ?? ""
        let labelEnd = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT rowid FROM label WHERE rowid > ? ORDER BY rowid LIMIT 1 OFFSET ?"),
            arguments: [position.label, rowsSweptPerBatch - 1])
        try db.cachedStatement(
            sql: "DELETE FROM label WHERE rowid > ?1 AND (?2 IS NULL OR rowid <= ?2) AND expires_at < ?3"
        ).execute(arguments: [position.label, labelEnd, now])
        position.label = labelEnd ?? 0
        sweep.withLock { $0 = position }
    }

    public func shadowHits(sinceDay day: Int) throws -> (evaluated: Int, hits: [String: Int]) {
        try read { db in
            let evaluated = try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(evaluated), 0) FROM evaluation_day WHERE day >= ?", arguments: [day]) ?? 0
            let rows = try Row.fetchAll(db, sql: "SELECT rule, SUM(hits) AS hits FROM shadow_hit WHERE day >= ? GROUP BY rule", arguments: [day])
            return (evaluated, rows.reduce(into: [:]) { $0[$1["rule"]] = $1["hits"] })
        }
    }

    public func observations(limit: Int) throws -> [ObservationRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM observation ORDER BY id DESC LIMIT ?", arguments: [limit]).map { row in
                let rules: String = row["rules"]
                let body: Data? = row["body"]
                return ObservationRecord(
                    at: Date(timeIntervalSince1970: row["at"]), activityID: row["activity_id"], activityType: row["activity_type"],
                    actorID: row["actor_id"], actorHost: row["actor_host"], action: row["action"], score: row["score"],
                    rules: rules.split(separator: " ").map(String.init),
                    signature: SignatureStatus(rawValue: row["signature"]) ?? .unsigned, body: body.map { Array($0) })
            }
        }
    }
}
