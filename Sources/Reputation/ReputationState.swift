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
    private var lookedUp: Set<String> = []

    private var dirtyActors: Set<String> = []
    private var dirtyDomains: Set<String> = []
    private var dirtyCounters: Set<String> = []
    private var dirtyCampaigns: Set<Int64> = []
    private var pending = ReputationChanges()
    private(set) var pendingObservations = 0

    private var lastFingerprint: (text: String, fingerprint: CampaignFingerprint?)?
    /// Bands of campaigns not yet stored (campaigns of one post), by campaign.
    private var unsavedBands: [Int64: [UInt64]] = [:]
    private var latestObservation = Date(timeIntervalSince1970: 0)
    /// Whether the campaigns open in the store are in memory (`campaigns`, `bandIndex`).
    private var openCampaignsLoaded = false

    /// Campaign membership needs this similarity to the campaign's first post, on top of a shared band.
    static let campaignSimilarity = 0.5

    // MARK: Reading

    mutating func signals(
        for subject: Subject, at date: Date, store: any ReputationStore, configuration: Reputation.Configuration
    ) throws -> ReputationSignals {
        let actorID = subject.actorID ?? ""
        let host = subject.actorHost ?? ""
        let fingerprint = fingerprint(for: subject)
        try prefetch([subject], store: store)
        let actor = try actor(actorID, store: store)
        let domain = try domain(host, store: store)
        let actorIsNew = actor?.firstSeen == nil
        let halfLife = configuration.decisionHalfLife
        var values: [String: Double] = [:]

        values["actor.first_seen_hours"] = actor?.firstSeen.map { hours(from: $0, to: date) } ?? 0
        values["actor.activities_seen"] = Double(actor?.activitiesSeen ?? 0)
        values["actor.accepted"] = Double(actor?.accepted ?? 0)
        values["actor.held"] = Double(actor?.held ?? 0)
        values["actor.rejected"] = Double(actor?.rejected ?? 0)
        values["actor.confirmed_spam"] = actor?.confirmedSpam.value(at: date, halfLife: halfLife) ?? 0
        values["actor.confirmed_ham"] = actor?.confirmedHam.value(at: date, halfLife: halfLife) ?? 0

        values["domain.first_seen_hours"] = domain?.firstSeen.map { hours(from: $0, to: date) } ?? 0
        values["domain.actors_seen"] = Double((domain?.actorsSeen ?? 0) + (actorIsNew ? 1 : 0))
        let newActors = try counter("newactors:\(host)", store: store)
        values["domain.new_actors_1h"] = Double(newActors.count(.hour, at: date) + (actorIsNew ? 1 : 0))
        values["domain.new_actors_1d"] = Double(newActors.count(.day, at: date) + (actorIsNew ? 1 : 0))
        if let domain, domain.activitiesSeen + domain.heldOrRejected > 0 {
            values["domain.held_ratio"] = min(1, Double(domain.heldOrRejected) / Double(max(1, domain.activitiesSeen)))
        }
        if let domain {
            let spam = domain.confirmedSpam.value(at: date, halfLife: halfLife)
            let ham = domain.confirmedHam.value(at: date, halfLife: halfLife)
            if spam + ham > 0 { values["domain.spam_ratio"] = spam / (spam + ham) }
        }
        values["domain.peer_listed"] = domain?.peerListed == true ? 1 : 0

        let actorRate = try counter("actor:\(actorID)", store: store)
        let domainRate = try counter("domain:\(host)", store: store)
        values["rate.actor_1m"] = Double(actorRate.count(.minute, at: date) + 1)
        values["rate.actor_1h"] = Double(actorRate.count(.hour, at: date) + 1)
        values["rate.actor_1d"] = Double(actorRate.count(.day, at: date) + 1)
        values["rate.domain_1m"] = Double(domainRate.count(.minute, at: date) + 1)
        values["rate.domain_1h"] = Double(domainRate.count(.hour, at: date) + 1)
        values["rate.domain_1d"] = Double(domainRate.count(.day, at: date) + 1)
        var busiestLink: Int?
        for linkDomain in subject.linkDomains {
            let count = try counter("link:\(linkDomain)", store: store).count(.hour, at: date) + 1
            busiestLink = max(busiestLink ?? 0, count)
        }
        if let busiestLink { values["rate.link_domain_1h"] = Double(busiestLink) }

        if let fingerprint {
            let campaign = try openCampaign(for: fingerprint, at: date, store: store, window: configuration.campaignWindow)
            values["campaign.size"] = Double((campaign?.size ?? 0) + 1)
            let actors = campaign?.actors ?? []
            let domains = campaign?.domains ?? []
            values["campaign.actors"] = Double(actors.count + (actors.contains(actorID) ? 0 : 1))
            values["campaign.domains"] = Double(domains.count + (domains.contains(host) ? 0 : 1))
            values["campaign.age_minutes"] = campaign.map { max(0, date.timeIntervalSince($0.firstSeen) / 60) } ?? 0
        }

        var active: Set<String> = []
        for label in try labels(.actor, actorID, store: store) where label.expiresAt.map({ $0 > date }) ?? true {
            active.insert("actor.label.\(label.label)")
        }
        for label in try labels(.domain, host, store: store) where label.expiresAt.map({ $0 > date }) ?? true {
            active.insert("domain.label.\(label.label)")
        }
        return ReputationSignals(values: values, labels: active)
    }

    /// Reads in one go everything the signals need that is neither cached nor known to be absent.
    mutating func prefetch(_ subjects: [Subject], store: any ReputationStore) throws {
        var request = ReputationLookup()
        for subject in subjects {
            let actorID = subject.actorID ?? ""
            let host = subject.actorHost ?? ""
            if actors[actorID] == nil, lookedUp.insert("a|\(actorID)").inserted { request.actorIDs.append(actorID) }
            if domains[host] == nil, lookedUp.insert("d|\(host)").inserted { request.hosts.append(host) }
            for key in ["newactors:\(host)", "actor:\(actorID)", "domain:\(host)"] + subject.linkDomains.map({ "link:\($0)" })
            where counters[key] == nil && lookedUp.insert("c|\(key)").inserted {
                request.counterKeys.append(key)
            }
            for (scope, key) in [(LabelRecord.Scope.actor, actorID), (.domain, host)] {
                let cacheKey = "\(scope.rawValue):\(key)"
                if labels[cacheKey] == nil, lookedUp.insert("l|\(cacheKey)").inserted { request.labels.append((scope, key)) }
            }
        }
        guard !request.isEmpty else { return }
        let snapshot = try store.lookup(request)
        for (id, record) in snapshot.actors where actors[id] == nil { actors[id] = record }
        for (host, record) in snapshot.domains where domains[host] == nil { domains[host] = record }
        for (key, counter) in snapshot.counters where counters[key] == nil { counters[key] = counter }
        for (key, found) in snapshot.labels where !found.isEmpty && labels[key] == nil { labels[key] = found }
    }

    // MARK: Writing

    mutating func observe(
        _ subject: Subject, verdict: Verdict, signature: SignatureStatus, body: [UInt8]?, at date: Date,
        store: any ReputationStore, configuration: Reputation.Configuration
    ) {
        let actorID = subject.actorID ?? ""
        let host = subject.actorHost ?? ""
        // Reads here only fail if the store does; the observation is then recorded from what is cached.
        var actor = (try? self.actor(actorID, store: store)) ?? ActorRecord(id: actorID, host: host, lastSeen: date)
        var domain = (try? self.domain(host, store: store)) ?? DomainRecord(host: host, lastSeen: date)
        let trusted = signature.mayRaiseTrust

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
                add(1, to: "newactors:\(host)", at: date, store: store)
            }
            if domain.firstSeen == nil { domain.firstSeen = date }
            if let published = subject.actor?.published { actor.published = published }
            actor.activitiesSeen += 1
            domain.activitiesSeen += 1
        }
        actors[actorID] = actor
        domains[host] = domain
        dirtyActors.insert(actorID)
        dirtyDomains.insert(host)

        add(1, to: "actor:\(actorID)", at: date, store: store)
        add(1, to: "domain:\(host)", at: date, store: store)
        for linkDomain in Set(subject.linkDomains) { add(1, to: "link:\(linkDomain)", at: date, store: store) }

        if let fingerprint = fingerprint(for: subject) {
            recordCampaign(fingerprint, actorID: actorID, host: host, at: date, store: store,
                window: configuration.campaignWindow)
        }

        for label in verdict.hits.flatMap(\.labels) {
            let expiry = label.hours.map { date.addingTimeInterval($0 * 3_600) }
            switch label.scope {
            case .actor: setLabel(LabelRecord(scope: .actor, key: actorID, label: label.name, expiresAt: expiry))
            case .domain: setLabel(LabelRecord(scope: .domain, key: host, label: label.name, expiresAt: expiry))
            }
        }
        let keepBody = verdict.action == .hold || verdict.action == .flag
        pending.observations.append(
            ObservationRecord(
                at: date, activityID: subject.activityID, activityType: subject.activityType, actorID: actorID,
                actorHost: host, action: verdict.action.rawValue, score: verdict.score, rules: verdict.hits.map(\.rule),
                signature: signature, body: keepBody ? body : nil))
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
        domains[host] = domain
        dirtyDomains.insert(host)
    }

    mutating func flush(to store: any ReputationStore, capacity: Int, campaignWindow: TimeInterval) throws {
        var changes = pending
        changes.actors = dirtyActors.compactMap { actors[$0] }
        changes.domains = dirtyDomains.compactMap { domains[$0] }
        changes.counters = dirtyCounters.compactMap { key in counters[key].map { (key, $0) } }
        changes.campaigns = dirtyCampaigns.compactMap { campaigns[$0] }
        guard !changes.isEmpty else { return }
        try store.apply(changes)
        pending = ReputationChanges()
        dirtyActors = []
        dirtyDomains = []
        dirtyCounters = []
        dirtyCampaigns = []
        pendingObservations = 0
        pruneSingletons(window: campaignWindow)
        evict(capacity: capacity)
    }

    // MARK: Cache

    /// Keeps memory flat: once a kind holds more than `capacity` entries (all clean after a flush), its cache
    /// is cleared, and so is the record of store misses, which would otherwise hide what the store now holds.
    private mutating func evict(capacity: Int) {
        var cleared = false
        if actors.count > capacity { (actors, cleared) = ([:], true) }
        if domains.count > capacity { (domains, cleared) = ([:], true) }
        if counters.count > capacity { (counters, cleared) = ([:], true) }
        if campaigns.count > capacity || bandIndex.count > capacity * 20 {
            (campaigns, bandIndex, unsavedBands, openCampaignsLoaded, cleared) = ([:], [:], [:], false, true)
        }
        if labels.count > capacity { (labels, cleared) = ([:], true) }
        if cleared || lookedUp.count > capacity * 4 { lookedUp = [] }
    }

    private mutating func actor(_ id: String, store: any ReputationStore) throws -> ActorRecord? {
        if let cached = actors[id] { return cached }
        guard lookedUp.insert("a|\(id)").inserted else { return nil }
        let found = try store.actors([id])[id]
        if let found { actors[id] = found }
        return found
    }

    private mutating func domain(_ host: String, store: any ReputationStore) throws -> DomainRecord? {
        if let cached = domains[host] { return cached }
        guard lookedUp.insert("d|\(host)").inserted else { return nil }
        let found = try store.domains([host])[host]
        if let found { domains[host] = found }
        return found
    }

    private mutating func counter(_ key: String, store: any ReputationStore) throws -> WindowedCounter {
        if let cached = counters[key] { return cached }
        guard lookedUp.insert("c|\(key)").inserted else { return WindowedCounter() }
        let found = try store.counters([key])[key]
        if let found { counters[key] = found }
        return found ?? WindowedCounter()
    }

    private mutating func add(_ amount: UInt32, to key: String, at date: Date, store: any ReputationStore) {
        var counter = (try? self.counter(key, store: store)) ?? WindowedCounter()
        counter.add(amount, at: date)
        counters[key] = counter
        dirtyCounters.insert(key)
    }

    private mutating func labels(_ scope: LabelRecord.Scope, _ key: String, store: any ReputationStore) throws
        -> [LabelRecord]
    {
        let cacheKey = "\(scope.rawValue):\(key)"
        if let cached = labels[cacheKey] { return cached }
        guard lookedUp.insert("l|\(cacheKey)").inserted else { return [] }
        let found = try store.labels(scope: scope, key: key)
        if !found.isEmpty { labels[cacheKey] = found }
        return found
    }

    // MARK: Campaigns

    private mutating func fingerprint(for subject: Subject) -> CampaignFingerprint? {
        let text = subject.text(.content) + "\n" + subject.text(.summary)
        if let last = lastFingerprint, last.text == text { return last.fingerprint }
        let fingerprint = CampaignFingerprint.make(text)
        lastFingerprint = (text, fingerprint)
        return fingerprint
    }

    /// The campaign the fingerprint falls into, if it is still open at `date` and the post is similar enough
    /// to the campaign's first post.
    private mutating func openCampaign(
        for fingerprint: CampaignFingerprint, at date: Date, store: any ReputationStore, window: TimeInterval
    ) throws -> CampaignRecord? {
        if !openCampaignsLoaded {
            // Campaigns live in memory while open; the store is read once, and again after the cache is cleared.
            for (campaign, bands) in try store.openCampaigns(seenSince: date.addingTimeInterval(-window)) {
                campaigns[campaign.id] = campaign
                for band in bands { bandIndex[band] = campaign.id }
            }
            openCampaignsLoaded = true
        }
        var candidate: CampaignRecord?
        for band in fingerprint.bands {
            if let id = bandIndex[band], let cached = campaigns[id] {
                candidate = cached
                break
            }
        }
        guard let campaign = candidate, date.timeIntervalSince(campaign.lastSeen) <= window else { return nil }
        if let first = CampaignFingerprint(signature: campaign.signature),
            fingerprint.similarity(to: first) < Self.campaignSimilarity
        {
            return nil
        }
        return campaign
    }

    private mutating func recordCampaign(
        _ fingerprint: CampaignFingerprint, actorID: String, host: String, at date: Date, store: any ReputationStore,
        window: TimeInterval
    ) {
        let id: Int64
        if let open = try? openCampaign(for: fingerprint, at: date, store: store, window: window) {
            id = open.id
        } else {
            id = Int64(bitPattern: fingerprint.bands.first ?? 0) ^ Int64(date.timeIntervalSince1970)
            var opened = CampaignRecord(id: id, firstSeen: date)
            opened.signature = fingerprint.signature
            campaigns[id] = opened
        }
        // Mutated in place: a campaign's member sets can hold thousands of entries.
        campaigns[id]!.size += 1
        campaigns[id]!.lastSeen = max(campaigns[id]!.lastSeen, date)
        if campaigns[id]!.actors.count < CampaignRecord.memberCap { campaigns[id]!.actors.insert(actorID) }
        if campaigns[id]!.domains.count < CampaignRecord.memberCap { campaigns[id]!.domains.insert(host) }
        let campaign = campaigns[id]!
        for band in fingerprint.bands where bandIndex[band] != campaign.id {
            bandIndex[band] = campaign.id
            unsavedBands[campaign.id, default: []].append(band)
        }
        // Most posts are unique: a campaign of one stays in memory, and is stored once a second post joins it.
        if campaign.size >= 2 {
            dirtyCampaigns.insert(campaign.id)
            if let bands = unsavedBands.removeValue(forKey: campaign.id) {
                pending.bands += bands.map { ($0, campaign.id) }
            }
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
        }
    }

    private func hours(from start: Date, to end: Date) -> Double {
        max(0, end.timeIntervalSince(start) / 3_600)
    }
}
