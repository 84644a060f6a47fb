import ActivityPub
import Foundation
import RuleEngine

/// Cached records and pending writes, guarded by `Reputation`'s mutex.
struct ReputationState {
    private var actors: [String: ActorRecord] = [:]
    private var domains: [String: DomainRecord] = [:]
    private var counters: [String: WindowedCounter] = [:]
    private var campaigns: [Int64: CampaignRecord] = [:]
    private var bandIndex: [UInt64: Int64] = [:]
    private var labels: [String: [LabelRecord]] = [:]
    /// Keys already looked up in the store (found or not), so a miss is not asked twice.
    private var lookedUp = LookedUpKeys()

    private var dirtyActors: Set<String> = []
    private var dirtyDomains: Set<String> = []
    private var dirtyCounters: Set<String> = []
    private var dirtyCampaigns: Set<Int64> = []
    private var pending = ReputationChanges()
    private(set) var pendingObservations = 0

    /// For a shared store: what was added since the last write, written instead of whole records (see
    /// `ReputationStore.isShared`). The cache keeps whole records, additions included.
    private let tracksAdditions: Bool
    private let decisionHalfLife: TimeInterval
    private var actorAdditions: [String: ActorRecord] = [:]
    private var domainAdditions: [String: DomainRecord] = [:]
    private var counterAdditions: [String: WindowedCounter] = [:]
    private var peerListings: [String: Bool] = [:]
    /// Keys this node wrote to a shared store since its cache was last cleared: what `flush()` reads back.
    private var written = LookedUpKeys()

    init(tracksAdditions: Bool = false, decisionHalfLife: TimeInterval = 30 * 86_400) {
        self.tracksAdditions = tracksAdditions
        self.decisionHalfLife = decisionHalfLife
    }

    /// The last subject made from a `Subject`, so that `signals` and `observe` of one activity fingerprint it once.
    private var lastSubject: (text: String, subject: ReputationSubject)?
    /// Bands of campaigns not yet stored (campaigns of one post), by campaign.
    private var unsavedBands: [Int64: [UInt64]] = [:]
    /// Bands indexed per campaign in memory, so that a campaign indexes at most `CampaignRecord.bandCap`.
    private var campaignBandCounts: [Int64: Int] = [:]
    private var latestObservation = Date(timeIntervalSince1970: 0)
    /// The date of the newest activity observed, for pruning the store (`ReputationPruning.now`).
    private(set) var newestObservation = Date(timeIntervalSince1970: 0)
    /// Whether the campaigns open in the store are in memory (`campaigns`, `bandIndex`).
    private var openCampaignsLoaded = false
    /// Counts changes to `campaigns` and `bandIndex`, so a lookup made for `signals` can be reused by `observe`.
    private var campaignGeneration = 0
    /// The last campaign lookup: for which bands and date, at which generation, and what it found.
    private var lastCampaignLookup: (bands: [UInt64], date: Date, generation: Int, id: Int64?)?

    /// Campaign membership needs this similarity to the campaign's first post, on top of a shared band.
    static let campaignSimilarity = 0.5

    private struct LookedUpKeys {
        var actors: Set<String> = []
        var domains: Set<String> = []
        var counters: Set<String> = []
        var labels: Set<String> = []

        var count: Int { actors.count + domains.count + counters.count + labels.count }

        mutating func removeAll() {
            actors.removeAll(keepingCapacity: true)
            domains.removeAll(keepingCapacity: true)
            counters.removeAll(keepingCapacity: true)
            labels.removeAll(keepingCapacity: true)
        }
    }

    /// The reputation view of `subject`, fingerprinted once for consecutive calls about the same text.
    mutating func reputationSubject(for subject: Subject) -> ReputationSubject {
        let text = ReputationSubject.campaignText(of: subject)
        if let last = lastSubject, last.text == text {
            return ReputationSubject(subject, fingerprint: last.subject.fingerprint)
        }
        let made = ReputationSubject(subject, fingerprint: CampaignFingerprint.make(text))
        lastSubject = (text, made)
        return made
    }

    // MARK: Reading

    /// The signals for `subject`. Unless `prefetched` (the caller read its batch with `prefetch` already), first
    /// reads in one go whatever they need that is not cached; either way a key not cached is read from the store.
    mutating func signals(
        for subject: ReputationSubject, at date: Date, store: any ReputationStore, configuration: Reputation.Configuration,
        prefetched: Bool = false
    ) throws -> ReputationSignals {
        if !prefetched { try prefetch(CollectionOfOne(subject), store: store) }
        let actor = try actor(subject.actorID, store: store)
        var campaign: ReputationSignals.CampaignSignals?
        if let fingerprint = subject.fingerprint {
            let open = try openCampaign(
                for: fingerprint, bands: subject.bands, at: date, store: store, window: configuration.campaignWindow)
            campaign = Self.campaignSignals(open, for: subject, at: date)
        }
        var mediaCampaign: ReputationSignals.CampaignSignals?
        if !subject.mediaBands.isEmpty {
            let id = try openMediaCampaignID(
                bands: subject.mediaBands, at: date, store: store, window: configuration.campaignWindow)
            mediaCampaign = Self.campaignSignals(id.flatMap { campaigns[$0] }, for: subject, at: date)
        }
        var active: Set<String> = []
        for label in try labels(subject.actorLabelKey, .actor, subject.actorID, store: store)
        where label.expiresAt.map({ $0 > date }) ?? true {
            active.insert("actor.label.\(label.label)")
        }
        for label in try labels(subject.domainLabelKey, .domain, subject.host, store: store)
        where label.expiresAt.map({ $0 > date }) ?? true {
            active.insert("domain.label.\(label.label)")
        }
        return ReputationSignals(
            labels: active, date: date, halfLife: configuration.decisionHalfLife, actor: actor,
            domain: try domain(subject.host, store: store),
            newActors: try counter(subject.newActorsCounterKey, store: store),
            actorRate: try counter(subject.actorCounterKey, store: store),
            domainRate: try counter(subject.domainCounterKey, store: store),
            linkRates: try subject.linkCounterKeys.map { try counter($0, store: store) },
            followTargetRate: try subject.followTargetCounterKey.map { try counter($0, store: store) },
            campaign: campaign, mediaCampaign: mediaCampaign)
    }

    /// A cluster's figures with the subject's post counted in.
    private static func campaignSignals(
        _ open: CampaignRecord?, for subject: ReputationSubject, at date: Date
    ) -> ReputationSignals.CampaignSignals {
        let actors = open?.actors ?? []
        let domains = open?.domains ?? []
        return ReputationSignals.CampaignSignals(
            size: (open?.size ?? 0) + 1,
            actors: actors.count + (actors.contains(subject.actorID) ? 0 : 1),
            domains: domains.count + (domains.contains(subject.host) ? 0 : 1),
            ageMinutes: open.map { max(0, date.timeIntervalSince($0.firstSeen) / 60) } ?? 0)
    }

    /// Reads in one go everything the signals need that is neither cached nor known to be absent.
    mutating func prefetch(_ subjects: some Collection<ReputationSubject>, store: any ReputationStore) throws {
        let request = missing(for: subjects)
        guard !request.isEmpty else { return }
        merge(try store.lookup(request), for: request)
    }

    /// What the signals for `subjects` need from the store: keys neither cached nor known to be absent.
    func missing(for subjects: some Collection<ReputationSubject>) -> ReputationLookup {
        var request = ReputationLookup()
        var seen = LookedUpKeys()
        for subject in subjects {
            if actors[subject.actorID] == nil, !lookedUp.actors.contains(subject.actorID), seen.actors.insert(subject.actorID).inserted {
                request.actorIDs.append(subject.actorID)
            }
            if domains[subject.host] == nil, !lookedUp.domains.contains(subject.host), seen.domains.insert(subject.host).inserted {
                request.hosts.append(subject.host)
            }
            for key in subject.counterKeys
            where counters[key] == nil && !lookedUp.counters.contains(key) && seen.counters.insert(key).inserted {
                request.counterKeys.append(key)
            }
            if labels[subject.actorLabelKey] == nil, !lookedUp.labels.contains(subject.actorLabelKey),
                seen.labels.insert(subject.actorLabelKey).inserted
            {
                request.labels.append((.actor, subject.actorID))
            }
            if labels[subject.domainLabelKey] == nil, !lookedUp.labels.contains(subject.domainLabelKey),
                seen.labels.insert(subject.domainLabelKey).inserted
            {
                request.labels.append((.domain, subject.host))
            }
        }
        return request
    }

    /// What recording about `actorID` and `host` reads from the store: the records neither cached nor known absent.
    func missing(actorID: String?, host: String) -> ReputationLookup {
        var request = ReputationLookup()
        if let actorID, actors[actorID] == nil, !lookedUp.actors.contains(actorID) { request.actorIDs.append(actorID) }
        if domains[host] == nil, !lookedUp.domains.contains(host) { request.hosts.append(host) }
        return request
    }

    /// Counts cache evictions, so a store read made outside the lock before one is not taken in after it (it may
    /// predate a write the eviction followed).
    private(set) var evictions = 0

    /// Takes in what a lookup for `request` found: records not cached meanwhile are cached, and every key asked
    /// is known from now on (absent ones as absent). A read made before the last eviction is dropped.
    mutating func merge(_ snapshot: ReputationSnapshot, for request: ReputationLookup, evictions seen: Int? = nil) {
        if let seen, seen != evictions { return }
        for id in request.actorIDs { lookedUp.actors.insert(id) }
        for host in request.hosts { lookedUp.domains.insert(host) }
        for key in request.counterKeys { lookedUp.counters.insert(key) }
        for (scope, key) in request.labels { lookedUp.labels.insert("\(scope.rawValue):\(key)") }
        for (id, record) in snapshot.actors where actors[id] == nil { actors[id] = record }
        for (host, record) in snapshot.domains where domains[host] == nil { domains[host] = record }
        for (key, counter) in snapshot.counters where counters[key] == nil { counters[key] = counter }
        for (key, found) in snapshot.labels where !found.isEmpty && labels[key] == nil { labels[key] = found }
    }

    /// Whether the campaigns open in the store are in memory.
    var campaignsLoaded: Bool { openCampaignsLoaded }

    /// Takes in the open campaigns read from the store, unless they were loaded meanwhile.
    mutating func mergeOpenCampaigns(_ open: [(campaign: CampaignRecord, bands: [UInt64])]) {
        guard !openCampaignsLoaded else { return }
        for (campaign, bands) in open {
            campaigns[campaign.id] = campaign
            campaignBandCounts[campaign.id] = bands.count
            for band in bands { bandIndex[band] = campaign.id }
        }
        openCampaignsLoaded = true
        campaignGeneration += 1
    }

    // MARK: Writing

    mutating func observe(
        _ subject: ReputationSubject, verdict: Verdict, signature: SignatureStatus, body: [UInt8]?, at date: Date,
        store: any ReputationStore, configuration: Reputation.Configuration
    ) {
        let actorID = subject.actorID
        let host = subject.host
        newestObservation = max(newestObservation, date)
        // Reads here only fail if the store does; the observation is then recorded from what is cached.
        var actor = (try? self.actor(actorID, store: store)) ?? ActorRecord(id: actorID, host: host, lastSeen: date)
        var domain = (try? self.domain(host, store: store)) ?? DomainRecord(host: host, lastSeen: date)
        let trusted = signature.mayRaiseTrust
        let before = tracksAdditions ? (actor, domain) : nil

        actor.lastSeen = max(actor.lastSeen, date)
        domain.lastSeen = max(domain.lastSeen, date)
        switch verdict.action {
        case .accept: if trusted { actor.accepted += 1 }
        case .flag: actor.flagged += 1
        case .hold: actor.held += 1
        case .reject: actor.rejected += 1
        }
        if verdict.action == .hold || verdict.action == .reject { domain.heldOrRejected += 1 }
        if trusted {
            if actor.firstSeen == nil {
                actor.firstSeen = date
                domain.actorsSeen += 1
                add(1, to: subject.newActorsCounterKey, at: date, store: store)
            }
            if domain.firstSeen == nil { domain.firstSeen = date }
            if let published = subject.subject.actor?.published { actor.published = published }
            // A follow by an account under a week old by its own server's date (or undated) counts towards its
            // target's follows from the domain: a verified one only, so nobody can make another server's
            // newcomers look like a burst by claiming to be them.
            if let key = subject.followTargetCounterKey,
                actor.published.map({ date.timeIntervalSince($0) < ReputationSignals.youngAccount }) ?? true
            {
                add(1, to: key, at: date, store: store)
            }
            actor.activitiesSeen += 1
            domain.activitiesSeen += 1
        }
        if let (actorBefore, domainBefore) = before {
            actorAdditions[actorID, default: ActorRecord(id: actorID, host: host, lastSeen: actorBefore.lastSeen)]
                .addChange(from: actorBefore, to: actor)
            domainAdditions[host, default: DomainRecord(host: host, lastSeen: domainBefore.lastSeen)]
                .addChange(from: domainBefore, to: domain)
        }
        actors[actorID] = actor
        domains[host] = domain
        dirtyActors.insert(actorID)
        dirtyDomains.insert(host)

        add(1, to: subject.actorCounterKey, at: date, store: store)
        add(1, to: subject.domainCounterKey, at: date, store: store)
        for key in subject.linkCounterKeys { add(1, to: key, at: date, store: store) }

        if let fingerprint = subject.fingerprint {
            recordCampaign(fingerprint, bands: subject.bands, actorID: actorID, host: host, at: date, store: store,
                window: configuration.campaignWindow)
        }
        if !subject.mediaBands.isEmpty {
            let open = try? openMediaCampaignID(
                bands: subject.mediaBands, at: date, store: store, window: configuration.campaignWindow)
            record(into: open, signature: CampaignRecord.mediaSignature, bands: subject.mediaBands,
                actorID: actorID, host: host, at: date)
        }

        for label in verdict.hits.flatMap(\.labels) {
            let expiry = label.hours.map { date.addingTimeInterval($0 * 3_600) }
            switch label.scope {
            case .actor: setLabel(LabelRecord(scope: .actor, key: actorID, label: label.name, expiresAt: expiry))
            case .domain: setLabel(LabelRecord(scope: .domain, key: host, label: label.name, expiresAt: expiry))
            }
        }
        if configuration.recording.records(subject.subject.activityID) {
            let keepBody = verdict.action == .hold || verdict.action == .flag
            pending.observations.append(
                ObservationRecord(
                    at: date, activityID: subject.subject.activityID, activityType: subject.subject.activityType,
                    actorID: actorID, actorHost: host, action: verdict.action.rawValue, score: verdict.score,
                    rules: verdict.hits.map(\.rule), signature: signature, body: keepBody ? body : nil))
        }
        let day = Int(date.timeIntervalSince1970 / 86_400)
        pending.evaluated[day, default: 0] += 1
        for hit in verdict.shadowHits { pending.shadowHits[day, default: [:]][hit.rule, default: 0] += 1 }
        pendingObservations += 1
    }

    mutating func recordDecision(
        actorID: String, host: String, spam: Bool, at date: Date, store: any ReputationStore, halfLife: TimeInterval
    ) throws {
        var actor = try self.actor(actorID, store: store) ?? ActorRecord(id: actorID, host: host, lastSeen: date)
        var domain = try self.domain(host, store: store) ?? DomainRecord(host: host, lastSeen: date)
        if spam {
            actor.confirmedSpam.add(1, at: date, halfLife: halfLife)
            domain.confirmedSpam.add(1, at: date, halfLife: halfLife)
        } else {
            actor.confirmedHam.add(1, at: date, halfLife: halfLife)
            domain.confirmedHam.add(1, at: date, halfLife: halfLife)
        }
        if tracksAdditions {
            let lastSeen = (actors[actorID]?.lastSeen ?? date, domains[host]?.lastSeen ?? date)
            if spam {
                actorAdditions[actorID, default: ActorRecord(id: actorID, host: host, lastSeen: lastSeen.0)]
                    .confirmedSpam.add(1, at: date, halfLife: halfLife)
                domainAdditions[host, default: DomainRecord(host: host, lastSeen: lastSeen.1)]
                    .confirmedSpam.add(1, at: date, halfLife: halfLife)
            } else {
                actorAdditions[actorID, default: ActorRecord(id: actorID, host: host, lastSeen: lastSeen.0)]
                    .confirmedHam.add(1, at: date, halfLife: halfLife)
                domainAdditions[host, default: DomainRecord(host: host, lastSeen: lastSeen.1)]
                    .confirmedHam.add(1, at: date, halfLife: halfLife)
            }
        }
        actors[actorID] = actor
        domains[host] = domain
        dirtyActors.insert(actorID)
        dirtyDomains.insert(host)
    }

    mutating func setLabel(_ label: LabelRecord) {
        let key = "\(label.scope.rawValue):\(label.key)"
        labels[key, default: []].removeAll { $0.label == label.label }
        labels[key, default: []].append(label)
        pending.labels.append(label)
    }

    mutating func setPeerListed(_ host: String, listed: Bool, at date: Date, store: any ReputationStore) throws {
        var domain = try self.domain(host, store: store) ?? DomainRecord(host: host, lastSeen: date)
        domain.peerListed = listed
        if tracksAdditions {
            // An empty addition, so that a domain the store lacks gets a row to list.
            if domainAdditions[host] == nil {
                domainAdditions[host] = DomainRecord(host: host, lastSeen: domain.lastSeen)
            }
            peerListings[host] = listed
        }
        domains[host] = domain
        dirtyDomains.insert(host)
    }

    /// Takes everything pending as one batch of changes for the store and marks it clean, or nil when nothing
    /// is pending. The caller writes the batch, and hands it back to `restore` if the write fails.
    mutating func takeChanges(campaignWindow: TimeInterval) -> ReputationChanges? {
        var changes = pending
        if tracksAdditions {
            changes.actorAdditions = Array(actorAdditions.values)
            changes.domainAdditions = Array(domainAdditions.values)
            changes.counterAdditions = counterAdditions.map { ($0.key, $0.value) }
            changes.peerListings = peerListings.map { ($0.key, $0.value) }
            changes.decisionHalfLife = decisionHalfLife
        } else {
            changes.actors = dirtyActors.compactMap { actors[$0] }
            changes.domains = dirtyDomains.compactMap { domains[$0] }
            changes.counters = dirtyCounters.compactMap { key in counters[key].map { (key, $0) } }
        }
        changes.campaigns = dirtyCampaigns.compactMap { campaigns[$0] }
        guard !changes.isEmpty else { return nil }
        pending = ReputationChanges()
        if tracksAdditions {
            written.actors.formUnion(actorAdditions.keys)
            written.domains.formUnion(domainAdditions.keys)
            written.counters.formUnion(counterAdditions.keys)
            actorAdditions.removeAll(keepingCapacity: true)
            domainAdditions.removeAll(keepingCapacity: true)
            counterAdditions.removeAll(keepingCapacity: true)
            peerListings.removeAll()
        }
        // Emptied keeping their storage: the next batch dirties about as many keys, and growing a set from
        // empty rehashes every key at each doubling.
        dirtyActors.removeAll(keepingCapacity: true)
        dirtyDomains.removeAll(keepingCapacity: true)
        dirtyCounters.removeAll(keepingCapacity: true)
        dirtyCampaigns.removeAll(keepingCapacity: true)
        pendingObservations = 0
        pruneSingletons(window: campaignWindow)
        return changes
    }

    /// Puts back a batch whose write failed, so the next flush writes it again. Records are marked dirty (the
    /// cache holds them, at least as recent); appended rows go back in front of newer ones.
    mutating func restore(_ failed: ReputationChanges) {
        // Additions not written go back under the ones made since (which are newer).
        for var additions in failed.actorAdditions {
            if let newer = actorAdditions[additions.id] { additions.add(newer, halfLife: decisionHalfLife) }
            actorAdditions[additions.id] = additions
        }
        for var additions in failed.domainAdditions {
            if let newer = domainAdditions[additions.host] { additions.add(newer, halfLife: decisionHalfLife) }
            domainAdditions[additions.host] = additions
        }
        for (key, var additions) in failed.counterAdditions {
            if let newer = counterAdditions[key] { additions.add(newer) }
            counterAdditions[key] = additions
        }
        for (host, listed) in failed.peerListings where peerListings[host] == nil { peerListings[host] = listed }
        dirtyActors.formUnion(failed.actors.map(\.id))
        dirtyDomains.formUnion(failed.domains.map(\.host))
        dirtyCounters.formUnion(failed.counters.map(\.key))
        dirtyCampaigns.formUnion(failed.campaigns.map(\.id))
        pending.bands = failed.bands + pending.bands
        pending.labels = failed.labels + pending.labels
        pending.observations = failed.observations + pending.observations
        for (day, count) in failed.evaluated { pending.evaluated[day, default: 0] += count }
        for (day, rules) in failed.shadowHits {
            for (rule, hits) in rules { pending.shadowHits[day, default: [:]][rule, default: 0] += hits }
        }
        pendingObservations += failed.observations.count
    }

    /// The keys this node wrote to a shared store that are still cached, to read back.
    var writtenKeys: ReputationLookup {
        var request = ReputationLookup()
        request.actorIDs = written.actors.filter { actors[$0] != nil }
        request.hosts = written.domains.filter { domains[$0] != nil }
        request.counterKeys = written.counters.filter { counters[$0] != nil }
        return request
    }

    /// Takes in what a shared store holds for the keys a write touched (the other nodes' counts included): a cached
    /// record becomes the stored one plus what was added here since that write. Keys no longer cached are left to
    /// be read when needed.
    mutating func refresh(_ stored: ReputationSnapshot) {
        for (id, var record) in stored.actors where actors[id] != nil {
            if let additions = actorAdditions[id] { record.add(additions, halfLife: decisionHalfLife) }
            actors[id] = record
        }
        for (host, var record) in stored.domains where domains[host] != nil {
            if let additions = domainAdditions[host] { record.add(additions, halfLife: decisionHalfLife) }
            if let listed = peerListings[host] { record.peerListed = listed }
            domains[host] = record
        }
        for (key, var counter) in stored.counters where counters[key] != nil {
            if let additions = counterAdditions[key] { counter.add(additions) }
            counters[key] = counter
        }
    }

    /// Whether a cache holds more than `capacity` entries, or all of them more than `bytes`, so the next flush
    /// must be written before it returns and caches cleared (see `evict`).
    func needsEviction(capacity: Int, bytes: Int) -> Bool {
        actors.count > capacity || domains.count > capacity || counters.count > capacity
            || campaigns.count > capacity || bandIndex.count > capacity * 20 || labels.count > capacity
            || estimatedBytes > bytes
    }

    /// What one cached entry of each kind takes, key (actor ids are URLs of about 60 bytes), record, heap headers
    /// and table slot together, rounded up; a campaign's members and bands are counted apart. An estimate: it
    /// bounds memory in proportion, not to the byte.
    enum EntryBytes {
        static let actor = 320
        static let domain = 320
        static let counter = 256
        static let label = 256
        static let campaign = 1_024
        static let campaignMember = 96
        static let band = 24
        static let unsavedCampaign = 64
        static let lookedUp = 96
    }

    private var campaignBytes: Int {
        var members = 0
        for campaign in campaigns.values { members += campaign.actors.count + campaign.domains.count }
        return campaigns.count * EntryBytes.campaign + members * EntryBytes.campaignMember
            + bandIndex.count * EntryBytes.band + unsavedBands.count * EntryBytes.unsavedCampaign
    }

    /// The cache's size in bytes, estimated from its entries (`EntryBytes`).
    var estimatedBytes: Int {
        actors.count * EntryBytes.actor + domains.count * EntryBytes.domain + counters.count * EntryBytes.counter
            + labels.count * EntryBytes.label + campaignBytes + lookedUp.count * EntryBytes.lookedUp
    }

    // MARK: Cache

    /// Keeps memory flat: once a kind holds more than `capacity` entries (all clean after a flush), its cache
    /// is cleared, and so is the record of store misses, which would otherwise hide what the store now holds.
    /// Only call it when the store holds every change: no write in flight, nothing pending.
    /// Past `bytes` after that, the kinds taking the most are cleared, largest first, until at most half the budget
    /// is left, so that the next eviction is some batches away.
    mutating func evict(capacity: Int, bytes: Int) {
        evictions += 1
        // Cleared keeping their storage: memory stays at its high-water mark instead of being given back and
        // grown again (rehashing every entry on each doubling) a moment later.
        var cleared = false
        if actors.count > capacity { cleared = true; actors.removeAll(keepingCapacity: true) }
        if domains.count > capacity { cleared = true; domains.removeAll(keepingCapacity: true) }
        if counters.count > capacity { cleared = true; counters.removeAll(keepingCapacity: true) }
        if campaigns.count > capacity || bandIndex.count > capacity * 20 { cleared = true; clearCampaigns() }
        if labels.count > capacity { cleared = true; labels.removeAll(keepingCapacity: true) }
        if estimatedBytes > bytes {
            lookedUp.removeAll()
            var kinds: [(bytes: Int, kind: CachedKind)] = [
                (actors.count * EntryBytes.actor, .actors), (domains.count * EntryBytes.domain, .domains),
                (counters.count * EntryBytes.counter, .counters), (labels.count * EntryBytes.label, .labels),
                (campaignBytes, .campaigns),
            ]
            kinds.sort { $0.bytes > $1.bytes }
            for (_, kind) in kinds where estimatedBytes > bytes / 2 {
                cleared = true
                switch kind {
                case .actors: actors.removeAll(keepingCapacity: true)
                case .domains: domains.removeAll(keepingCapacity: true)
                case .counters: counters.removeAll(keepingCapacity: true)
                case .labels: labels.removeAll(keepingCapacity: true)
                case .campaigns: clearCampaigns()
                }
            }
        }
        if cleared || lookedUp.count > capacity * 4 { lookedUp.removeAll() }
        if cleared { written.removeAll() }
    }

    private enum CachedKind { case actors, domains, counters, labels, campaigns }

    private mutating func clearCampaigns() {
        campaigns.removeAll(keepingCapacity: true)
        bandIndex.removeAll(keepingCapacity: true)
        unsavedBands.removeAll(keepingCapacity: true)
        campaignBandCounts.removeAll(keepingCapacity: true)
        openCampaignsLoaded = false
        campaignGeneration += 1
    }

    /// Forgets store misses once there are many of them. Safe while a write is in flight: every key of that
    /// write is cached, so it is never asked of the store.
    mutating func forgetMisses(capacity: Int) {
        if lookedUp.count > capacity * 4 { lookedUp.removeAll() }
    }

    private mutating func actor(_ id: String, store: any ReputationStore) throws -> ActorRecord? {
        if let cached = actors[id] { return cached }
        guard lookedUp.actors.insert(id).inserted else { return nil }
        let found = try store.actors([id])[id]
        if let found { actors[id] = found }
        return found
    }

    private mutating func domain(_ host: String, store: any ReputationStore) throws -> DomainRecord? {
        if let cached = domains[host] { return cached }
        guard lookedUp.domains.insert(host).inserted else { return nil }
        let found = try store.domains([host])[host]
        if let found { domains[host] = found }
        return found
    }

    private mutating func counter(_ key: String, store: any ReputationStore) throws -> WindowedCounter {
        if let cached = counters[key] { return cached }
        guard lookedUp.counters.insert(key).inserted else { return WindowedCounter() }
        let found = try store.counters([key])[key]
        if let found { counters[key] = found }
        return found ?? WindowedCounter()
    }

    /// Adds to the counter in place: copying it out and back would copy its buckets on every event.
    private mutating func add(_ amount: UInt32, to key: String, at date: Date, store: any ReputationStore) {
        if counters[key] == nil, let stored = try? counter(key, store: store) { counters[key] = stored }
        counters[key, default: WindowedCounter()].add(amount, at: date)
        dirtyCounters.insert(key)
        if tracksAdditions { counterAdditions[key, default: WindowedCounter()].add(amount, at: date) }
    }

    private mutating func labels(
        _ cacheKey: String, _ scope: LabelRecord.Scope, _ key: String, store: any ReputationStore
    ) throws -> [LabelRecord] {
        if let cached = labels[cacheKey] { return cached }
        guard lookedUp.labels.insert(cacheKey).inserted else { return [] }
        let found = try store.labels(scope: scope, key: key)
        if !found.isEmpty { labels[cacheKey] = found }
        return found
    }

    // MARK: Campaigns

    /// The campaign the fingerprint falls into, if it is still open at `date` and the post is similar enough
    /// to the campaign's first post.
    private mutating func openCampaign(
        for fingerprint: CampaignFingerprint, bands: [UInt64], at date: Date, store: any ReputationStore,
        window: TimeInterval
    ) throws -> CampaignRecord? {
        guard let id = try openCampaignID(for: fingerprint, bands: bands, at: date, store: store, window: window)
        else { return nil }
        return campaigns[id]
    }

    private mutating func openCampaignID(
        for fingerprint: CampaignFingerprint, bands: [UInt64], at date: Date, store: any ReputationStore,
        window: TimeInterval
    ) throws -> Int64? {
        if let last = lastCampaignLookup, last.generation == campaignGeneration, last.date == date, last.bands == bands {
            return last.id
        }
        let id = try findOpenCampaignID(for: fingerprint, bands: bands, at: date, store: store, window: window)
        lastCampaignLookup = (bands, date, campaignGeneration, id)
        return id
    }

    private mutating func findOpenCampaignID(
        for fingerprint: CampaignFingerprint, bands: [UInt64], at date: Date, store: any ReputationStore,
        window: TimeInterval
    ) throws -> Int64? {
        try loadOpenCampaigns(at: date, store: store, window: window)
        for band in bands {
            guard let id = bandIndex[band], let campaign = campaigns[id], !campaign.isMedia else { continue }
            guard date.timeIntervalSince(campaign.lastSeen) <= window else { return nil }
            if let first = CampaignFingerprint(signature: campaign.signature),
                fingerprint.similarity(to: first) < Self.campaignSimilarity
            {
                return nil
            }
            return id
        }
        return nil
    }

    /// Campaigns live in memory while open; the store is read once, and again after the cache is cleared.
    private mutating func loadOpenCampaigns(at date: Date, store: any ReputationStore, window: TimeInterval) throws {
        guard !openCampaignsLoaded else { return }
        for (campaign, bands) in try store.openCampaigns(seenSince: date.addingTimeInterval(-window)) {
            campaigns[campaign.id] = campaign
            campaignBandCounts[campaign.id] = bands.count
            for band in bands { bandIndex[band] = campaign.id }
        }
        openCampaignsLoaded = true
        campaignGeneration += 1
    }

    /// The open media cluster that shares one of `bands` (an image's blurhash or digest): an exact key, so no
    /// similarity is checked.
    private mutating func openMediaCampaignID(
        bands: [UInt64], at date: Date, store: any ReputationStore, window: TimeInterval
    ) throws -> Int64? {
        try loadOpenCampaigns(at: date, store: store, window: window)
        for band in bands {
            guard let id = bandIndex[band], let campaign = campaigns[id], campaign.isMedia,
                date.timeIntervalSince(campaign.lastSeen) <= window
            else { continue }
            return id
        }
        return nil
    }

    private mutating func recordCampaign(
        _ fingerprint: CampaignFingerprint, bands: [UInt64], actorID: String, host: String, at date: Date,
        store: any ReputationStore, window: TimeInterval
    ) {
        let open = try? openCampaignID(for: fingerprint, bands: bands, at: date, store: store, window: window)
        record(into: open, signature: fingerprint.signature, bands: bands, actorID: actorID, host: host, at: date)
    }

    /// Adds a post to the open campaign `open`, or opens one with `signature` when it is nil.
    private mutating func record(
        into open: Int64?, signature: [UInt32], bands: [UInt64], actorID: String, host: String, at date: Date
    ) {
        let id: Int64
        if let open {
            id = open
        } else {
            id = Int64(bitPattern: bands.first ?? 0) ^ Int64(date.timeIntervalSince1970)
            var opened = CampaignRecord(id: id, firstSeen: date)
            opened.signature = signature
            campaigns[id] = opened
        }
        campaignGeneration += 1
        // Mutated in place through its index: a campaign's member sets can hold thousands of entries, and one
        // hash lookup serves every change.
        let index = campaigns.index(forKey: id)!
        let size = campaigns.values[index].size + 1
        campaigns.values[index].size = size
        campaigns.values[index].lastSeen = max(campaigns.values[index].lastSeen, date)
        if campaigns.values[index].actors.count < CampaignRecord.memberCap { campaigns.values[index].actors.insert(actorID) }
        if campaigns.values[index].domains.count < CampaignRecord.memberCap { campaigns.values[index].domains.insert(host) }
        var added: [UInt64] = []
        // A long-lived campaign of near-duplicates brings new bands with most posts; past the cap it is still found
        // through the bands it has (near-duplicates share most of them), and memory and the store stay bounded.
        var indexed = campaignBandCounts[id, default: 0]
        for band in bands where indexed < CampaignRecord.bandCap && bandIndex[band] != id {
            bandIndex[band] = id
            added.append(band)
            indexed += 1
        }
        campaignBandCounts[id] = indexed
        // Most posts are unique: a campaign of one stays in memory, and is stored once a second post joins it.
        if size >= 2 {
            dirtyCampaigns.insert(id)
            let unsaved = unsavedBands.removeValue(forKey: id) ?? []
            pending.bands += (unsaved + added).map { ($0, id) }
        } else if !added.isEmpty {
            unsavedBands[id, default: []] += added
        }
        latestObservation = max(latestObservation, date)
    }

    /// Forgets campaigns of one post that were last seen longer than `window` before the latest observation.
    private mutating func pruneSingletons(window: TimeInterval) {
        let cutoff = latestObservation.addingTimeInterval(-window)
        for (id, bands) in unsavedBands {
            guard let campaign = campaigns[id], campaign.size < 2, campaign.lastSeen < cutoff else { continue }
            for band in bands where bandIndex[band] == id { bandIndex[band] = nil }
            campaigns[id] = nil
            unsavedBands[id] = nil
            campaignBandCounts[id] = nil
            campaignGeneration += 1
        }
    }
}
