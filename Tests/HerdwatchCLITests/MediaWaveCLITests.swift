import Foundation
import HerdwatchTestSupport
import Testing

/// Image waves replayed with `--db`: one picture under mentions from many fresh accounts is held once it is a
/// cluster; fresh accounts posting different pictures, and an artist posting their own again, are not.
@Suite("Media waves with --db", .serialized)
struct MediaWaveCLITests {
    static let waveHash = "UBL_:rOpGG-oBUNG,qRj2so|=eE1w^n4S5NH"

    private func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("herdwatch-media-\(UUID().uuidString)-\(name)")
            .path
    }

    /// One envelope: an account made a few minutes before, posting an image under three mentions and no text.
    private func envelope(
        id: String, host: String, user: String, minute: Int, blurhash: String, mentions: Int = 3, content: String = "",
        alt: String? = nil, hashtags: [String] = [], accountCreated: String = "2024-11-04T08:00:00Z"
    ) -> String {
        let actor = "https://\(host)/users/\(user)"
        let published = String(format: "2024-11-04T09:%02d:00Z", minute)
        let tags: [[String: Any]] =
            (0..<mentions).map { index in
                [
                    "type": "Mention", "href": "https://mk\(index).example/users/target\(index)",
                    "name": "@target\(index)",
                ]
            } + hashtags.map { ["type": "Hashtag", "href": "https://\(host)/tags/\($0)", "name": "#\($0)"] }
        var image: [String: Any] = [
            "type": "Document", "mediaType": "image/png", "url": "https://\(host)/media/\(id).png",
            "blurhash": blurhash,
        ]
        if let alt { image["name"] = alt }
        let object: [String: Any] = [
            "id": "\(actor)/statuses/\(id)", "type": "Note", "attributedTo": actor, "published": published,
            "to": ["https://www.w3.org/ns/activitystreams#Public"], "content": content, "tag": tags,
            "attachment": [image],
        ]
        let envelope: [String: Any] = [
            "id": id,
            "activity": [
                "id": "\(actor)/statuses/\(id)/activity", "type": "Create", "actor": actor, "published": published,
                "to": ["https://www.w3.org/ns/activitystreams#Public"], "object": object,
            ],
            "actor": [
                "id": actor, "type": "Person", "preferredUsername": user, "name": "Someone \(user)",
                "published": accountCreated, "inbox": "\(actor)/inbox",
            ],
        ]
        let data = try! JSONSerialization.data(withJSONObject: envelope, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    private func replay(_ lines: [String]) throws -> [[String: Any]] {
        let file = temporaryPath("stream.ndjson")
        let db = temporaryPath("media.sqlite")
        defer {
            try? FileManager.default.removeItem(atPath: file)
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) }
        }
        try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let result = try CLI.run(["check", "--db", db, "--format", "json", file])
        return try CLI.jsonLines(result.stdout)
    }

    private func rules(_ verdict: [String: Any]) -> [String] {
        (verdict["hits"] as? [[String: Any]] ?? []).compactMap { $0["rule"] as? String }
    }

    @Test func oneImageFromManyFreshAccountsIsHeldOnceItIsACluster() throws {
        let wave = (0..<12).map { index in
            envelope(
                id: "wave-\(index)", host: "open\(index % 4).example", user: "acct\(index)", minute: index * 2,
                blurhash: Self.waveHash)
        }
        let verdicts = try replay(wave)
        #expect(verdicts.count == 12)
        // The first four accounts are only a fresh account mentioning people under a bare image: flagged at most.
        #expect(verdicts.prefix(4).allSatisfy { !["hold", "reject"].contains($0["action"] as? String) })
        #expect(verdicts.prefix(4).allSatisfy { !rules($0).contains("media.image-wave") })
        // From the fifth account on, the image is a campaign.
        #expect(verdicts.suffix(8).allSatisfy { rules($0).contains("media.image-wave") })
        #expect(verdicts.suffix(8).allSatisfy { ["hold", "reject"].contains($0["action"] as? String) })
    }

    @Test func differentImagesAndAnArtistsOwnPictureAreNotHeld() throws {
        // Fresh accounts, same shape, each with its own picture (a 4×3 blurhash that differs per post).
        let different = (0..<12).map { index in
            envelope(
                id: "own-\(index)", host: "open\(index % 4).example", user: "acct\(index)", minute: index * 2,
                blurhash: "LEHV6nWB2yk8pyo0adR*.7kCM" + String(format: "%03d", index))
        }
        // An artist known for years posting the same picture again, with a caption, alt text and hashtags.
        let artist = (0..<6).map { index in
            envelope(
                id: "art-\(index)", host: "art.example", user: "painter", minute: 30 + index, blurhash: Self.waveHash,
                mentions: 0, content: "<p>The heron study again, now framed</p>", alt: "Watercolor heron",
                hashtags: ["MastoArt", "watercolor"], accountCreated: "2019-03-01T00:00:00Z")
        }
        let verdicts = try replay(different + artist)
        #expect(verdicts.count == 18)
        #expect(verdicts.allSatisfy { !rules($0).contains("media.image-wave") })
        #expect(verdicts.allSatisfy { !["hold", "reject"].contains($0["action"] as? String) })
        #expect(verdicts.suffix(6).allSatisfy { $0["action"] as? String == "accept" })
    }
}
