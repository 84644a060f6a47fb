public import ActivityPub
import Foundation
public import RuleEngine

/// A snapshot of reputation signals for one subject; what rules read through `Signals`.
///
/// It keeps the records the signals come from and computes a signal only when a rule reads it: most rules read
/// none, and the windowed rates cost a pass over their buckets.
public struct ReputationSignals: Signals, Sendable {
    /// Active labels, as `actor.label.NAME` and `domain.label.NAME`.
    public var labels: Set<String>

    let date: Date
    let halfLife: TimeInterval
    let actor: ActorRecord?
    let domain: DomainRecord?
    let newActors: WindowedCounter
    let actorRate: WindowedCounter
    let domainRate: WindowedCounter
    let linkRates: [WindowedCounter]
    /// For a `Follow`: its target's follows from the sender's domain by young accounts; nil otherwise.
    var followTargetRate: WindowedCounter? = nil
    /// Nil when the subject has no campaign fingerprint.
    let campaign: CampaignSignals?
    /// The media cluster; nil when the subject's media have no blurhash or digest.
    var mediaCampaign: CampaignSignals? = nil

    /// The campaign figures, counting the subject's post.
    struct CampaignSignals: Sendable {
        var size: Int
        var actors: Int
        var domains: Int
        var ageMinutes: Double
    }

    enum Name: String, CaseIterable {
        case actorFirstSeenHours = "actor.first_seen_hours"
        case actorActivitiesSeen = "actor.activities_seen"
        case actorAccepted = "actor.accepted"
        case actorHeld = "actor.held"
        case actorRejected = "actor.rejected"
        case actorConfirmedSpam = "actor.confirmed_spam"
        case actorConfirmedHam = "actor.confirmed_ham"
        case domainFirstSeenHours = "domain.first_seen_hours"
        case domainActorsSeen = "domain.actors_seen"
        case domainNewActors1h = "domain.new_actors_1h"
        case domainNewActors1d = "domain.new_actors_1d"
        case domainNewActorsShare1d = "domain.new_actors_share_1d"
        case domainHeldRatio = "domain.held_ratio"
        case domainSpamRatio = "domain.spam_ratio"
        case domainPeerListed = "domain.peer_listed"
        case rateActor1m = "rate.actor_1m"
        case rateActor1h = "rate.actor_1h"
        case rateActor1d = "rate.actor_1d"
        case rateDomain1m = "rate.domain_1m"
        case rateDomain1h = "rate.domain_1h"
        case rateDomain1d = "rate.domain_1d"
        case rateLinkDomain1h = "rate.link_domain_1h"
        case followsYoungSameTarget1h = "follows.young_same_target_1h"
        case campaignSize = "campaign.size"
        case campaignActors = "campaign.actors"
        case campaignDomains = "campaign.domains"
        case campaignAgeMinutes = "campaign.age_minutes"
        case campaignMediaSize = "campaign.media_size"
        case campaignMediaActors = "campaign.media_actors"
        case campaignMediaDomains = "campaign.media_domains"

        static let byName: [String: Name] = Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, $0) })
    }

    /// Every signal that has a value, by name: for inspection and tests (rules read ``value(of:for:)``).
    public var values: [String: Double] {
        Name.allCases.reduce(into: [:]) { values, name in values[name.rawValue] = value(of: name) }
    }

    public func value(of signal: String, for subject: Subject) -> Double? {
        if let name = Name.byName[signal] { return value(of: name) }
        if signal.hasPrefix("actor.label.") || signal.hasPrefix("domain.label.") {
            return labels.contains(signal) ? 1 : 0
        }
        return nil
    }

    private var actorIsNew: Bool { actor?.firstSeen == nil }

    /// An account younger than this by its own server's date is young (`follows.young_same_target_1h`).
    static let youngAccount: TimeInterval = 7 * 86_400

    func value(of name: Name) -> Double? {
        switch name {
        case .actorFirstSeenHours: actor?.firstSeen.map(hours(since:)) ?? 0
        case .actorActivitiesSeen: Double(actor?.activitiesSeen ?? 0)
        case .actorAccepted: Double(actor?.accepted ?? 0)
        case .actorHeld: Double(actor?.held ?? 0)
        case .actorRejected: Double(actor?.rejected ?? 0)
        case .actorConfirmedSpam: actor?.confirmedSpam.value(at: date, halfLife: halfLife) ?? 0
        case .actorConfirmedHam: actor?.confirmedHam.value(at: date, halfLife: halfLife) ?? 0
        case .domainFirstSeenHours: domain?.firstSeen.map(hours(since:)) ?? 0
        case .domainActorsSeen: Double((domain?.actorsSeen ?? 0) + (actorIsNew ? 1 : 0))
        case .domainNewActors1h: Double(newActors.count(.hour, at: date) + (actorIsNew ? 1 : 0))
        case .domainNewActors1d: Double(newActors.count(.day, at: date) + (actorIsNew ? 1 : 0))
        case .domainNewActorsShare1d: newActorsShare
        case .domainHeldRatio: heldRatio
        case .domainSpamRatio: spamRatio
        case .domainPeerListed: domain?.peerListed == true ? 1 : 0
        case .rateActor1m: Double(actorRate.count(.minute, at: date) + 1)
        case .rateActor1h: Double(actorRate.count(.hour, at: date) + 1)
        case .rateActor1d: Double(actorRate.count(.day, at: date) + 1)
        case .rateDomain1m: Double(domainRate.count(.minute, at: date) + 1)
        case .rateDomain1h: Double(domainRate.count(.hour, at: date) + 1)
        case .rateDomain1d: Double(domainRate.count(.day, at: date) + 1)
        case .rateLinkDomain1h: linkRates.map { Double($0.count(.hour, at: date) + 1) }.max()
        case .followsYoungSameTarget1h: followTargetRate.map { Double($0.count(.hour, at: date) + 1) }
        case .campaignSize: campaign.map { Double($0.size) }
        case .campaignActors: campaign.map { Double($0.actors) }
        case .campaignDomains: campaign.map { Double($0.domains) }
        case .campaignAgeMinutes: campaign?.ageMinutes
        case .campaignMediaSize: mediaCampaign.map { Double($0.size) }
        case .campaignMediaActors: mediaCampaign.map { Double($0.actors) }
        case .campaignMediaDomains: mediaCampaign.map { Double($0.domains) }
        }
    }

    /// New actors of the day, of every actor seen from the domain: near 0 for a big server that introduces
    /// accounts all day, near 1 for a server whose accounts we mostly met today (a registration burst, or a new
    /// server).
    private var newActorsShare: Double {
        let seen = (domain?.actorsSeen ?? 0) + (actorIsNew ? 1 : 0)
        let new = newActors.count(.day, at: date) + (actorIsNew ? 1 : 0)
        return seen == 0 ? 0 : min(1, Double(new) / Double(seen))
    }

    private var heldRatio: Double? {
        guard let domain, domain.activitiesSeen + domain.heldOrRejected > 0 else { return nil }
        return min(1, Double(domain.heldOrRejected) / Double(max(1, domain.activitiesSeen)))
    }

    private var spamRatio: Double? {
        guard let domain else { return nil }
        let spam = domain.confirmedSpam.value(at: date, halfLife: halfLife)
        let ham = domain.confirmedHam.value(at: date, halfLife: halfLife)
        return spam + ham > 0 ? spam / (spam + ham) : nil
    }

    private func hours(since start: Date) -> Double {
        max(0, date.timeIntervalSince(start) / 3_600)
    }
}
