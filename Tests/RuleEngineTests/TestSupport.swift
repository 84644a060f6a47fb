import ActivityPub
import Foundation
import RuleEngine

/// A temporary rule directory, removed when the value goes away.
final class RuleDirectory {
    let url: URL
    var path: String { url.path }

    init(_ files: [String: String]) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("herdwatch-rules-\(UUID().uuidString)")
        for (name, contents) in files {
            let file = url.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try contents.write(to: file, atomically: true, encoding: .utf8)
        }
        if files.isEmpty { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Loads rules written to a temporary directory.
func loadRules(_ files: [String: String]) throws -> RuleSet {
    let directory = try RuleDirectory(files)
    return try withExtendedLifetime(directory) { try RuleSet.load(directory: directory.path) }
}

/// Builds a Create{Note} activity as JSON bytes.
func note(
    _ html: String, mentions: Int = 0, hashtags: [String] = [], type: String = "Create", reply: Bool = false,
    to: String = "https://www.w3.org/ns/activitystreams#Public", actor: String = "https://social.example/users/alice",
    summary: String? = nil
) -> [UInt8] {
    var tags: [[String: Any]] = (0..<mentions).map {
        ["type": "Mention", "href": "https://misskey.example/users/m\($0)", "name": "@m\($0)@misskey.example"]
    }
    tags += hashtags.map { ["type": "Hashtag", "href": "https://social.example/tags/\($0)", "name": "#\($0)"] }
    var object: [String: Any] = [
        "id": "https://social.example/notes/1", "type": "Note", "attributedTo": actor, "content": html, "to": [to],
        "tag": tags,
    ]
    if reply { object["inReplyTo"] = "https://social.example/notes/0" }
    if let summary { object["summary"] = summary }
    let activity: [String: Any] = ["id": "https://social.example/notes/1/activity", "type": type, "actor": actor, "object": object]
    return Array(try! JSONSerialization.data(withJSONObject: activity))
}

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
