/// Which POST paths are inbox deliveries: patterns like `/users/*/inbox`, where `*` is one path segment.
struct InboxPaths: Sendable {
    private let patterns: [[Substring]]

    init(_ patterns: [String]) {
        self.patterns = patterns.map { $0.split(separator: "/", omittingEmptySubsequences: true) }
    }

    func matches(_ path: String) -> Bool {
        let pathOnly = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let segments = pathOnly.split(separator: "/", omittingEmptySubsequences: true)
        return patterns.contains { pattern in
            pattern.count == segments.count && zip(pattern, segments).allSatisfy { $0 == "*" || $0 == $1 }
        }
    }
}
