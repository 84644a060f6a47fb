public import ActivityPub

/// Reputation facts a rule can read by name (`actor.first_seen_hours`, `domain.new_actors_1h`, `campaign.actors`…).
///
/// The rule engine asks for a signal only when a rule reads it. A signal the source does not know for this
/// subject is `nil`, and every comparison with `nil` is false (a rule never fires on missing evidence).
public protocol Signals: Sendable {
    func value(of signal: String, for subject: Subject) -> Double?
}

/// Signals from a fixed table: for tests, rule examples and `herdwatch check` without a database.
public struct InMemorySignals: Signals {
    public var values: [String: Double]

    public init(_ values: [String: Double] = [:]) {
        self.values = values
    }

    public func value(of signal: String, for subject: Subject) -> Double? {
        values[signal]
    }
}

/// The names of every reputation signal rules may read, with what each means.
public enum SignalCatalog {
    public struct Entry: Sendable {
        public var name: String
        public var meaning: String
    }

    public static let entries: [Entry] = [
        Entry(name: "actor.first_seen_hours", meaning: "hours since this instance first saw the actor"),
        Entry(name: "actor.activities_seen", meaning: "activities seen from the actor"),
        Entry(name: "actor.accepted", meaning: "activities from the actor accepted"),
        Entry(name: "actor.held", meaning: "activities from the actor held for review"),
        Entry(name: "actor.rejected", meaning: "activities from the actor rejected"),
        Entry(name: "actor.confirmed_spam", meaning: "moderator decisions that the actor sent spam (decayed)"),
        Entry(name: "actor.confirmed_ham", meaning: "moderator decisions that the actor's posts were fine (decayed)"),
        Entry(name: "domain.first_seen_hours", meaning: "hours since this instance first saw the actor's domain"),
        Entry(name: "domain.actors_seen", meaning: "distinct actors seen from the domain"),
        Entry(name: "domain.new_actors_1h", meaning: "actors first seen from the domain in the last hour"),
        Entry(name: "domain.new_actors_1d", meaning: "actors first seen from the domain in the last day"),
        Entry(
            name: "domain.new_actors_share_1d",
            meaning: "actors first seen from the domain in the last day, of all actors seen from it (0 to 1)"),
        Entry(name: "domain.held_ratio", meaning: "share of the domain's activities held or rejected"),
        Entry(name: "domain.spam_ratio", meaning: "share of the domain's reviewed cases confirmed as spam"),
        Entry(name: "domain.peer_listed", meaning: "1 when a subscribed peer blocklist lists the domain"),
        Entry(name: "domain.silenced", meaning: "1 when an applied domain block silences the domain"),
        Entry(name: "rate.actor_1m", meaning: "activities from the actor in the last minute"),
        Entry(name: "rate.actor_1h", meaning: "activities from the actor in the last hour"),
        Entry(name: "rate.actor_1d", meaning: "activities from the actor in the last day"),
        Entry(name: "rate.domain_1m", meaning: "activities from the actor's domain in the last minute"),
        Entry(name: "rate.domain_1h", meaning: "activities from the actor's domain in the last hour"),
        Entry(name: "rate.domain_1d", meaning: "activities from the actor's domain in the last day"),
        Entry(name: "rate.link_domain_1h", meaning: "activities linking the post's busiest link domain in the last hour"),
        Entry(
            name: "follows.young_same_target_1h",
            meaning:
                "for a Follow: follows of the same account in the last hour by accounts of the sender's domain under a week old, counting this one"
        ),
        Entry(name: "campaign.size", meaning: "near-duplicates of this text seen in the window"),
        Entry(name: "campaign.actors", meaning: "distinct actors that posted a near-duplicate in the window"),
        Entry(name: "campaign.domains", meaning: "distinct domains that posted a near-duplicate in the window"),
        Entry(name: "campaign.age_minutes", meaning: "minutes since the first near-duplicate in the window"),
        Entry(name: "campaign.media_size", meaning: "posts in the window with the same image (blurhash or file digest)"),
        Entry(name: "campaign.media_actors", meaning: "distinct actors that posted the same image in the window"),
        Entry(name: "campaign.media_domains", meaning: "distinct domains that posted the same image in the window"),
        Entry(name: "signature.verified", meaning: "1 when the delivery's HTTP signature verified (as the server checked it, or as the hook's caller or a replayed recording states it), else 0"),
        Entry(name: "signature.actor_mismatch", meaning: "1 when the verified signer is not the activity's actor (known when Herdwatch verified the signature itself)"),
        Entry(name: "actor.followed_by_local", meaning: "local users who follow the sender (0 without instance.domains)"),
        Entry(name: "actor.follows_local", meaning: "local users the sender follows"),
        Entry(name: "mentions.local", meaning: "distinct local users the activity mentions"),
        Entry(name: "mentions.local_not_following", meaning: "mentioned local users who do not follow the sender"),
        Entry(name: "domain.followed_by_local", meaning: "local users who follow any actor on the sender's domain"),
    ]

    public static let names: Set<String> = Set(entries.map(\.name))

    /// Whether `name` is a signal; `actor.label.NAME` reads whether a label is set (1) or not (0).
    public static func isSignal(_ name: String) -> Bool {
        names.contains(name) || (name.hasPrefix("actor.label.") && name.count > "actor.label.".count)
            || (name.hasPrefix("domain.label.") && name.count > "domain.label.".count)
    }
}
