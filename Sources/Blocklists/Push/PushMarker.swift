import Foundation

/// How Herdwatch marks the Mastodon domain blocks it pushed: one line in the block's private comment, which an
/// admin reading the block in Mastodon's moderation pages understands. A push changes and deletes only blocks
/// that carry it; an admin who deletes the line takes the block over, and the next push reports it as theirs.
public struct PushMarker: Sendable, Hashable {
    /// The start of the line; a private comment with a line starting so is ours.
    public let tag: String
    /// The whole line written.
    public let line: String

    public static let standard = PushMarker(
        tag: "[managed by Herdwatch]",
        line: "[managed by Herdwatch] `herdwatch blocklist push` changes and removes this block; "
            + "delete this line to keep the block as your own.")

    public init(tag: String, line: String) {
        self.tag = tag
        self.line = line
    }

    /// Whether `privateComment` carries the marker.
    public func marks(_ privateComment: String) -> Bool {
        privateComment.split(whereSeparator: \.isNewline).contains { $0.hasPrefix(tag) }
    }

    /// Our private comment with the marker as its last line (and no older marker line kept from it).
    public func privateComment(carrying comment: String) -> String {
        let ours = comment.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix(tag) }
            .joined(separator: "\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return ours.isEmpty ? line : ours + "\n" + line
    }
}
