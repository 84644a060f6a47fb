public import Foundation

import Synchronization

/// Where reputation lives between runs. The SQLite implementation is in the `Storage` target; every
/// implementation passes the same conformance tests.
///
/// Reads are by key and in batches; all writes arrive as one `ReputationChanges` applied in one transaction,
/// so a crash never leaves half a batch behind.
public protocol ReputationStore: Sendable {
    func actors(_ ids: [String]) throws -> [String: ActorRecord]
    func domains(_ hosts: [String]) throws -> [String: DomainRecord]
    func counters(_ keys: [String]) throws -> [String: WindowedCounter]
    /// The campaign any of `bands` belongs to, if one does.
    func campaign(forBands bands: [UInt64]) throws -> CampaignRecord?
    /// Campaigns with a post at or after `date`, each with its bands: loaded into memory once, so that posts
    /// need no store read to find their campaign.
    func openCampaigns(seenSince date: Date) throws -> [(campaign: CampaignRecord, bands: [UInt64])]
    func labels(scope: LabelRecord.Scope, key: String) throws -> [LabelRecord]
    func apply(_ changes: ReputationChanges) throws
    /// Shadow-rule hits per rule since `day` (days since 1970), with the number of evaluated activities.
    func shadowHits(sinceDay day: Int) throws -> (evaluated: Int, hits: [String: Int])
    /// Recorded observations, newest first (for inspection and tests).
    func observations(limit: Int) throws -> [ObservationRecord]
    /// Everything one evaluation needs that is not cached, in one read (one transaction on SQLite).
    func lookup(_ request: ReputationLookup) throws -> ReputationSnapshot
    /// Whether other nodes write this store at the same time (PostgreSQL). `Reputation` then writes what it added
    /// since its last write (`ReputationChanges.actorAdditions` and the like) rather than whole records, and
    /// re-reads the keys it wrote, so that each node sees the others' counts. False by default.
    var isShared: Bool { get }
}

/// Keys to read in one go.
public struct ReputationLookup: Sendable {
    public var actorIDs: [String] = []
    public var hosts: [String] = []
    public var counterKeys: [String] = []
    public var labels: [(scope: LabelRecord.Scope, key: String)] = []

    public init() {}

    public var isEmpty: Bool {
        actorIDs.isEmpty && hosts.isEmpty && counterKeys.isEmpty && labels.isEmpty
    }
}

/// What a lookup found; absent keys are absent.
public struct ReputationSnapshot: Sendable {
    public var actors: [String: ActorRecord] = [:]
    public var domains: [String: DomainRecord] = [:]
    public var counters: [String: WindowedCounter] = [:]
    /// By `scope:key`.
    public var labels: [String: [LabelRecord]] = [:]

    public init() {}
}

extension ReputationStore {
    public var isShared: Bool { false }

    /// Reads each kind separately; stores that can do better (one transaction) implement their own.
    public func lookup(_ request: ReputationLookup) throws -> ReputationSnapshot {
        var snapshot = ReputationSnapshot()
        snapshot.actors = try actors(request.actorIDs)
        snapshot.domains = try domains(request.hosts)
        snapshot.counters = try counters(request.counterKeys)
        for (scope, key) in request.labels {
            snapshot.labels["\(scope.rawValue):\(key)"] = try labels(scope: scope, key: key)
        }
        return snapshot
    }
}

/// A batch of writes, applied atomically.
public struct ReputationChanges: Sendable {
    public var actors: [ActorRecord] = []
    public var domains: [DomainRecord] = []
    public var counters: [(key: String, counter: WindowedCounter)] = []
    public var campaigns: [CampaignRecord] = []
    public var bands: [(band: UInt64, campaign: Int64)] = []
    public var labels: [LabelRecord] = []
    public var observations: [ObservationRecord] = []
    /// Retention: once this batch is written, the oldest observations are deleted, up to the first one recorded at
    /// or after this date (observations are written in the order they were made). A store may spread a long
    /// backlog over several batches (the SQLite store deletes at most 50,000 per batch). Nil keeps every
    /// observation.
    public var keepObservationsSince: Date?
    /// The size budget of the record: once this batch is written, the oldest observations are deleted until at
    /// most this many are left (spread over batches as `keepObservationsSince` is). Nil sets no budget.
    public var keepObservationsAtMost: Int?
    /// Once this batch is written, a bounded slice of the aggregates is swept for rows no feature reads any more
    /// (see `ReputationPruning`). Nil prunes nothing; stores that keep nothing stale may ignore it.
    public var pruning: ReputationPruning?
    /// Per day: activities evaluated and shadow hits per rule.
    public var evaluated: [Int: Int] = [:]
    public var shadowHits: [Int: [String: Int]] = [:]

    /// For a shared store (`ReputationStore.isShared`), in place of `actors`: what this node added to each actor
    /// since its last write, which the store adds to the record it holds (`ActorRecord.add(_:halfLife:)`),
    /// starting from an empty record. `Reputation` sends additions only to shared stores (the SQLite store takes
    /// none); the in-memory store takes them too, for tests.
    public var actorAdditions: [ActorRecord] = []
    /// As `actorAdditions`, for domains (`DomainRecord.add(_:halfLife:)`).
    public var domainAdditions: [DomainRecord] = []
    /// As `actorAdditions`, for counters: the events counted since the last write (`WindowedCounter.add(_:)`).
    public var counterAdditions: [(key: String, counter: WindowedCounter)] = []
    /// Domains whose `peerListed` this node set, applied after `domainAdditions`.
    public var peerListings: [(host: String, listed: Bool)] = []
    /// The half-life with which confirmed spam and ham decay when additions are added.
    public var decisionHalfLife: TimeInterval = 30 * 86_400

    public init() {}

    public var isEmpty: Bool {
        actors.isEmpty && domains.isEmpty && counters.isEmpty && campaigns.isEmpty && bands.isEmpty
            && labels.isEmpty && observations.isEmpty && evaluated.isEmpty && actorAdditions.isEmpty
            && domainAdditions.isEmpty && counterAdditions.isEmpty && peerListings.isEmpty
    }

    /// The keys a write of these changes touched, to read back from a shared store.
    var additionKeys: ReputationLookup {
        var request = ReputationLookup()
        request.actorIDs = actorAdditions.map(\.id)
        request.hosts = domainAdditions.map(\.host)
        request.counterKeys = counterAdditions.map(\.key)
        return request
    }
}

/// What a write may delete along the way, so that the store holds what the features read rather than everything
/// ever seen. Each batch looks at a bounded slice of rows (the SQLite store sweeps its tables a few thousand rows
/// per batch, round and round), so one batch never waits for a scan of a large table.
public struct ReputationPruning: Sendable, Equatable {
    /// The newest observation: counters with no event left in any window at this date, and labels that expired
    /// before it, read as absent from now on and are deleted.
    public var now: Date
    /// Actors last seen before this date with no moderator decision (confirmed spam or ham) are deleted: they
    /// then read as never seen. Nil keeps every actor.
    public var actorsSeenBefore: Date?

    public init(now: Date, actorsSeenBefore: Date?) {
        self.now = now
        self.actorsSeenBefore = actorsSeenBefore
    }

    /// Whether `actor` may be deleted: no decision on it, and not seen since `actorsSeenBefore`.
    public func isStale(_ actor: ActorRecord) -> Bool {
        guard let actorsSeenBefore else { return false }
        return actor.lastSeen < actorsSeenBefore && actor.confirmedSpam.value == 0 && actor.confirmedHam.value == 0
    }

    /// Whether `counter` counts nothing at `now` or after.
    public func isStale(_ counter: WindowedCounter) -> Bool { counter.isExpired(at: now) }

    /// Whether `label` no longer applies at `now`.
    public func isStale(_ label: LabelRecord) -> Bool { label.expiresAt.map { $0 < now } ?? false }
}

/// A store in memory, for unit tests and for `herdwatch check` without `--db`.
public final class InMemoryReputationStore: ReputationStore {
    private struct Contents {
        var actors: [String: ActorRecord] = [:]
        var domains: [String: DomainRecord] = [:]
        var counters: [String: WindowedCounter] = [:]
        var campaigns: [Int64: CampaignRecord] = [:]
        var bands: [UInt64: Int64] = [:]
        var labels: [String: [LabelRecord]] = [:]
        var observations: [ObservationRecord] = []
        var evaluated: [Int: Int] = [:]
        var shadowHits: [Int: [String: Int]] = [:]
    }

    private let contents = Mutex(Contents())
    private let keepsObservations: Bool

    /// - Parameter keepsObservations: whether to keep every observation (tests inspect them; a long backtest
    ///   replay should not hold them all in memory).
    public init(keepsObservations: Bool = true) {
        self.keepsObservations = keepsObservations
    }

    public func actors(_ ids: [String]) throws -> [String: ActorRecord] {
        contents.withLock { contents in ids.reduce(into: [:]) { $0[$1] = contents.actors[$1] } }
    }

    public func domains(_ hosts: [String]) throws -> [String: DomainRecord] {
        contents.withLock { contents in hosts.reduce(into: [:]) { $0[$1] = contents.domains[$1] } }
    }

    public func counters(_ keys: [String]) throws -> [String: WindowedCounter] {
        contents.withLock { contents in keys.reduce(into: [:]) { $0[$1] = contents.counters[$1] } }
    }

    public func campaign(forBands bands: [UInt64]) throws -> CampaignRecord? {
        contents.withLock { contents in
            for band in bands {
                if let id = contents.bands[band], let campaign = contents.campaigns[id] { return campaign }
            }
            return nil
        }
    }

    public func labels(scope: LabelRecord.Scope, key: String) throws -> [LabelRecord] {
        contents.withLock { $0.labels["\(scope.rawValue):\(key)"] ?? [] }
    }

    public func openCampaigns(seenSince date: Date) throws -> [(campaign: CampaignRecord, bands: [UInt64])] {
        contents.withLock { contents in
            let open = contents.campaigns.values.filter { $0.lastSeen >= date }
            let ids = Set(open.map(\.id))
            var bands: [Int64: [UInt64]] = [:]
            for (band, id) in contents.bands where ids.contains(id) { bands[id, default: []].append(band) }
            return open.map { ($0, bands[$0.id] ?? []) }
        }
    }

    public func apply(_ changes: ReputationChanges) throws {
        contents.withLock { contents in
            for actor in changes.actors { contents.actors[actor.id] = actor }
            for domain in changes.domains { contents.domains[domain.host] = domain }
            for (key, counter) in changes.counters { contents.counters[key] = counter }
            let halfLife = changes.decisionHalfLife
            for additions in changes.actorAdditions {
                let empty = ActorRecord(id: additions.id, host: additions.host, lastSeen: additions.lastSeen)
                contents.actors[additions.id, default: empty].add(additions, halfLife: halfLife)
            }
            for additions in changes.domainAdditions {
                let empty = DomainRecord(host: additions.host, lastSeen: additions.lastSeen)
                contents.domains[additions.host, default: empty].add(additions, halfLife: halfLife)
            }
            for (host, listed) in changes.peerListings { contents.domains[host]?.peerListed = listed }
            for (key, counter) in changes.counterAdditions {
                contents.counters[key, default: WindowedCounter()].add(counter)
            }
            for campaign in changes.campaigns { contents.campaigns[campaign.id] = campaign }
            for (band, campaign) in changes.bands { contents.bands[band] = campaign }
            for label in changes.labels {
                let key = "\(label.scope.rawValue):\(label.key)"
                contents.labels[key, default: []].removeAll { $0.label == label.label }
                contents.labels[key, default: []].append(label)
            }
            if keepsObservations {
                contents.observations += changes.observations
                if let since = changes.keepObservationsSince {
                    let expired = contents.observations.firstIndex { $0.at >= since } ?? contents.observations.endIndex
                    contents.observations.removeFirst(expired)
                }
                if let limit = changes.keepObservationsAtMost, contents.observations.count > limit {
                    contents.observations.removeFirst(contents.observations.count - max(limit, 0))
                }
            }
            if let pruning = changes.pruning {
                // Memory is no disk: the whole of it is swept at once.
                contents.actors = contents.actors.filter { !pruning.isStale($0.value) }
                contents.counters = contents.counters.filter { !pruning.isStale($0.value) }
                contents.labels = contents.labels.compactMapValues { labels in
                    let kept = labels.filter { !pruning.isStale($0) }
                    return kept.isEmpty ? nil : kept
                }
            }
            for (day, count) in changes.evaluated { contents.evaluated[day, default: 0] += count }
            for (day, hits) in changes.shadowHits {
                for (rule, count) in hits { contents.shadowHits[day, default: [:]][rule, default: 0] += count }
            }
        }
    }

    public func shadowHits(sinceDay day: Int) throws -> (evaluated: Int, hits: [String: Int]) {
        contents.withLock { contents in
            let evaluated = contents.evaluated.filter { $0.key >= day }.values.reduce(0, +)
            var hits: [String: Int] = [:]
            for (hitDay, rules) in contents.shadowHits where hitDay >= day {
                for (rule, count) in rules { hits[rule, default: 0] += count }
            }
            return (evaluated, hits)
        }
    }

    public func observations(limit: Int) throws -> [ObservationRecord] {
        contents.withLock { Array($0.observations.suffix(limit).reversed()) }
    }
}
