import Foundation

/// Which POST paths are inbox deliveries: patterns like `/users/*/inbox`, where `*` is one path segment.
///
/// Paths are compared as the instance's router would read them: percent-escapes decoded, empty segments
/// (`//`, a trailing `/`) ignored, and a format suffix on the last segment (Rails' `(.:format)`: `/inbox.json`,
/// `/users/x/inbox.activity`) dropped when the pattern's last segment is a literal.
struct InboxPaths: Sendable {
    private let patterns: [[Substring]]

    /// Every path the ActivityPub servers we know accept deliveries on (read from their routes).
    static let knownDeliveryPaths = [
        // Mastodon: shared inbox, accounts, the instance actor, and the `/ap/` form of 4.4 and later.
        "/inbox", "/users/*/inbox", "/actor/inbox", "/ap/users/*/inbox",
        // Akkoma and Pleroma: the relay and the internal fetch actor.
        "/relay/inbox", "/internal/fetch/inbox",
        // Lemmy: communities, users, the site actor.
        "/c/*/inbox", "/u/*/inbox", "/site_inbox",
        // PeerTube.
        "/accounts/*/inbox", "/video-channels/*/inbox",
        // Pixelfed: shared inbox and the instance actor.
        "/f/inbox", "/i/actor/inbox",
        // Friendica.
        "/inbox/*",
    ]

    init(_ patterns: [String]) {
        self.patterns = patterns.map { $0.split(separator: "/", omittingEmptySubsequences: true) }
    }

    func matches(_ path: String) -> Bool {
        let pathOnly = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let decoded = String(pathOnly).removingPercentEncoding ?? String(pathOnly)
        let segments = decoded.split(separator: "/", omittingEmptySubsequences: true)
        return patterns.contains { pattern in
            guard pattern.count == segments.count else { return false }
            for (index, (expected, actual)) in zip(pattern, segments).enumerated() where expected != "*" {
                if expected == actual { continue }
                // `inbox.json`: the last segment with a format suffix.
                let isLast = index == segments.count - 1
                guard isLast, let dot = actual.firstIndex(of: "."), actual[..<dot] == expected else { return false }
            }
            return true
        }
    }
}
