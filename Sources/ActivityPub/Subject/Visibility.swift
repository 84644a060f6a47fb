/// Who an activity is addressed to, derived from `to`/`cc` the way Mastodon shows it.
public enum Visibility: String, Sendable, CaseIterable {
    /// The public collection is in `to`.
    case `public`
    /// The public collection is only in `cc`.
    case unlisted
    /// Addressed to a followers collection, not public.
    case followers
    /// Addressed only to specific actors.
    case direct
    /// No addressing at all.
    case unknown

    static let publicCollection: Set<String> = [
        "https://www.w3.org/ns/activitystreams#Public", "as:Public", "Public",
    ]

    /// Classifies addressing; `followersCollection` is the actor's `followers` URI when known.
    static func of(to: [String], cc: [String], followersCollection: String?) -> Visibility {
        if to.contains(where: publicCollection.contains) { return .public }
        if cc.contains(where: publicCollection.contains) { return .unlisted }
        let isFollowers = { (uri: String) in uri.hasSuffix("/followers") || uri == followersCollection }
        if to.contains(where: isFollowers) || cc.contains(where: isFollowers) { return .followers }
        return to.isEmpty && cc.isEmpty ? .unknown : .direct
    }
}
