public import ActivityPub
public import RuleEngine

/// What the local follow graph says about one delivery's sender, as rules read it. All zero when the instance's
/// domains are not configured (nothing is then known to be local).
public struct FollowSignals: Signals, Sendable, Equatable {
    /// `actor.followed_by_local`: local users who follow the sender.
    public var followedByLocal: Int
    /// `actor.follows_local`: local users the sender follows.
    public var followsLocal: Int
    /// `mentions.local`: distinct local users the activity mentions.
    public var mentionsLocal: Int
    /// `mentions.local_not_following`: mentioned local users who do not follow the sender.
    public var mentionsLocalNotFollowing: Int
    /// `domain.followed_by_local`: local users who follow any actor on the sender's domain.
    public var domainFollowedByLocal: Int

    public init(
        followedByLocal: Int = 0, followsLocal: Int = 0, mentionsLocal: Int = 0, mentionsLocalNotFollowing: Int = 0,
        domainFollowedByLocal: Int = 0
    ) {
        self.followedByLocal = followedByLocal
        self.followsLocal = followsLocal
        self.mentionsLocal = mentionsLocal
        self.mentionsLocalNotFollowing = mentionsLocalNotFollowing
        self.domainFollowedByLocal = domainFollowedByLocal
    }

    public static let zero = FollowSignals()

    /// The signal names, in the order the README lists them.
    public static let names = [
        "actor.followed_by_local", "actor.follows_local", "mentions.local", "mentions.local_not_following",
        "domain.followed_by_local",
    ]

    public func value(of signal: String, for subject: Subject) -> Double? {
        value(of: signal)
    }

    /// The value of `signal`, nil when it is not one of `names`.
    public func value(of signal: String) -> Double? {
        switch signal {
        case "actor.followed_by_local": Double(followedByLocal)
        case "actor.follows_local": Double(followsLocal)
        case "mentions.local": Double(mentionsLocal)
        case "mentions.local_not_following": Double(mentionsLocalNotFollowing)
        case "domain.followed_by_local": Double(domainFollowedByLocal)
        default: nil
        }
    }

    /// Every signal by name: for inspection and tests.
    public var values: [String: Double] {
        Dictionary(uniqueKeysWithValues: Self.names.map { ($0, value(of: $0) ?? 0) })
    }
}
