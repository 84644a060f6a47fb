public import Foundation

// Several nodes sharing one store each write what they added since their last write, and the store adds it to
// what it holds, so that no node's counts overwrite another's (`ReputationStore.isShared`).

extension DecayingCount {
    /// Adds `other`, decaying both to the later of their dates first.
    public mutating func add(_ other: DecayingCount, halfLife: TimeInterval) {
        guard other.value != 0 else { return }
        let date = max(updatedAt, other.updatedAt)
        value = value(at: date, halfLife: halfLife) + other.value(at: date, halfLife: halfLife)
        updatedAt = date
    }
}

extension ActorRecord {
    /// Adds what a node added to the actor since its last write (`additions`: counts since then, the dates it saw):
    /// counts add up, first seen is the earliest, last seen the latest, and a `published` date replaces this one.
    public mutating func add(_ additions: ActorRecord, halfLife: TimeInterval) {
        host = additions.host
        if let first = additions.firstSeen { firstSeen = min(firstSeen ?? first, first) }
        lastSeen = max(lastSeen, additions.lastSeen)
        if let published = additions.published { self.published = published }
        activitiesSeen += additions.activitiesSeen
        accepted += additions.accepted
        flagged += additions.flagged
        held += additions.held
        rejected += additions.rejected
        confirmedSpam.add(additions.confirmedSpam, halfLife: halfLife)
        confirmedHam.add(additions.confirmedHam, halfLife: halfLife)
    }

    /// Records in `self` (additions) what changed from `before` to `after`.
    mutating func addChange(from before: ActorRecord, to after: ActorRecord) {
        if let first = after.firstSeen, after.firstSeen != before.firstSeen {
            firstSeen = min(firstSeen ?? first, first)
        }
        lastSeen = max(lastSeen, after.lastSeen)
        if after.published != before.published { published = after.published }
        activitiesSeen += after.activitiesSeen - before.activitiesSeen
        accepted += after.accepted - before.accepted
        flagged += after.flagged - before.flagged
        held += after.held - before.held
        rejected += after.rejected - before.rejected
    }
}

extension DomainRecord {
    /// Adds what a node added to the domain since its last write, as `ActorRecord.add(_:halfLife:)` does;
    /// `peerListed` is left alone (see `ReputationChanges.peerListings`).
    public mutating func add(_ additions: DomainRecord, halfLife: TimeInterval) {
        if let first = additions.firstSeen { firstSeen = min(firstSeen ?? first, first) }
        lastSeen = max(lastSeen, additions.lastSeen)
        actorsSeen += additions.actorsSeen
        activitiesSeen += additions.activitiesSeen
        heldOrRejected += additions.heldOrRejected
        confirmedSpam.add(additions.confirmedSpam, halfLife: halfLife)
        confirmedHam.add(additions.confirmedHam, halfLife: halfLife)
    }

    /// Records in `self` (additions) what changed from `before` to `after`.
    mutating func addChange(from before: DomainRecord, to after: DomainRecord) {
        if let first = after.firstSeen, after.firstSeen != before.firstSeen {
            firstSeen = min(firstSeen ?? first, first)
        }
        lastSeen = max(lastSeen, after.lastSeen)
        actorsSeen += after.actorsSeen - before.actorsSeen
        activitiesSeen += after.activitiesSeen - before.activitiesSeen
        heldOrRejected += after.heldOrRejected - before.heldOrRejected
    }
}
