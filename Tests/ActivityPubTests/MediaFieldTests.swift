import Foundation
import Testing

@testable import ActivityPub

/// `media.blurhashes`, `attachments.without_alt` and `text.only_mentions`.
@Suite struct MediaFieldTests {
    private static let mastodonHash = "UBL_:rOpGG-oBUNG,qRj2so|=eE1w^n4S5NH"

    private func note(
        content: String?, summary: String? = nil, mentions: [String] = [], attachments: [JSONValue] = []
    ) throws -> Subject {
        var object: JSONObject = ["type": .string("Note")]
        if let content { object["content"] = .string(content) }
        if let summary { object["summary"] = .string(summary) }
        object["tag"] = .array(
            mentions.map { handle in
                .object([
                    "type": .string("Mention"), "href": .string("https://b.example/users/\(handle)"),
                    "name": .string("@\(handle)"),
                ])
            })
        object["attachment"] = .array(attachments)
        let activity = try Activity(
            json: .object([
                "type": .string("Create"), "actor": .string("https://a.example/users/x"), "object": .object(object),
            ]))
        return Normalizer.subject(for: activity)
    }

    private func mention(_ handle: String) -> String {
        #"<span class="h-card"><a href="https://b.example/users/\#(handle)" class="u-url mention">@<span>\#(handle)</span></a></span>"#
    }

    private func image(
        blurhash: String? = nil, alt: String? = nil, summary: String? = nil, type: String = "Document",
        mediaType: String? = "image/png", digest: String? = nil
    ) -> JSONValue {
        var members: JSONObject = ["type": .string(type), "url": .string("https://files.a.example/m.png")]
        if let mediaType { members["mediaType"] = .string(mediaType) }
        if let blurhash { members["blurhash"] = .string(blurhash) }
        if let alt { members["name"] = .string(alt) }
        if let summary { members["summary"] = .string(summary) }
        if let digest { members["digestMultibase"] = .string(digest) }
        return .object(members)
    }

    @Test(
        arguments: [
            (" UBL_:rOpGG-oBUNG,qRj2so|=eE1w^n4S5NH\n", "UBL_:rOpGG-oBUNG,qRj2so|=eE1w^n4S5NH"),
            ("LEHV6nWB2yk8pyo0adR*.7kCMdnj", "LEHV6nWB2yk8pyo0adR*.7kCMdnj"),
            // Base 83 is case-sensitive: lowercasing would make another hash (here one whose length does not fit).
            ("lehv6nwb2yk8pyo0adr*.7kcmdnj", nil),
            // One component is only the mean colour.
            ("00TSUA", nil),
            ("UBL_:rOpGG-oBUNG,qRj2so|=eE1w^n4S5N", nil),
            ("UBL_:rOpGG-oBUNG,qRj2so|=eE1w^n4S5N\u{E9}", nil),
            ("", nil),
        ] as [(String, String?)])
    func blurhashNormalisation(raw: String, expected: String?) {
        #expect(Blurhash.normalized(raw) == expected)
    }

    @Test func blurhashesAndDigestsComeFromMediaEachOnce() throws {
        let subject = try note(
            content: "look",
            attachments: [
                image(blurhash: Self.mastodonHash, digest: "zQmWvQxTqbG2Z9HPJgG57jjwR154cKhbtJenbyYTWkjgF3e"),
                image(blurhash: " \(Self.mastodonHash) "),
                image(blurhash: "not a blurhash"),
                .object([
                    "type": .string("Link"), "href": .string("https://l.example/"),
                    "blurhash": .string("LEHV6nWB2yk8pyo0adR*.7kCMdnj"),
                ]),
            ])
        #expect(subject.blurhashes == [Self.mastodonHash])
        #expect(subject.mediaDigests == ["zQmWvQxTqbG2Z9HPJgG57jjwR154cKhbtJenbyYTWkjgF3e"])
        let fixture = Normalizer.subject(
            for: try Activity.decode(try Fixtures.bytes("activities", "create_note_mention_hashtag_attachment.json")))
        #expect(fixture.blurhashes == [Self.mastodonHash])
    }

    @Test func attachmentsWithoutAltCountImagesAndVideosOnly() throws {
        let subject = try note(
            content: "pics",
            attachments: [
                image(),
                image(alt: "   "),
                image(alt: "A heron"),
                image(summary: "Alt in summary"),
                image(type: "Video", mediaType: "video/mp4"),
                image(type: "Image", mediaType: nil),
                image(type: "Audio", mediaType: "audio/ogg"),
                image(type: "Document", mediaType: "application/pdf"),
            ])
        #expect(subject.attachmentCount == 8)
        #expect(subject.attachmentsWithoutAlt == 4)
        let described = try Normalizer.subject(
            for: Activity.decode(Fixtures.bytes("activities", "legit_art_post_15_hashtags.json")))
        #expect(described.attachmentsWithoutAlt == 0)
    }

    @Test func onlyMentionsWhenNothingButHandlesAndLinks() throws {
        let handles = (0..<10).map { mention("user\($0)") }.joined(separator: " ")
        #expect(try note(content: "<p>\(handles)</p>", mentions: ["user0"]).onlyMentions)
        // Links, bare or as anchors showing a shortened address, and punctuation and emoji between handles.
        let linked =
            "<p>\(handles), 👀 https://qr.example/x <a href=\"https://l.example/very/long\">l.example/very…</a></p>"
        #expect(try note(content: linked, mentions: ["user0"]).onlyMentions)
        // An image under nothing but tags (the November 2024 QR wave): no text at all.
        #expect(try note(content: nil, mentions: ["user0", "user1"], attachments: [image()]).onlyMentions)
        // Misskey-style handles written as text, with their host.
        #expect(try note(content: "@alice@mk.example @bob@misskey.example\n@carol", mentions: []).onlyMentions)
    }

    @Test(arguments: [
        // The February 2024 variant: a Japanese sentence over the handles.
        "<p>画像が貼れなかったのでメンションだけします</p><p>MENTIONS</p>",
        "<p>MENTIONS ok everyone, picnic moved to Sunday</p>",
        "<p>MENTIONS thanks!</p>",
        "<p>MENTIONS #MastoArt</p>",
        "<p>MENTIONS <a href=\"https://l.example/\">buy now</a></p>",
        "<p>@aliceこんにちは</p>",
        "<p>MENTIONS 42</p>",
    ])
    func aSentenceIsMoreThanMentions(content: String) throws {
        let html = content.replacingOccurrences(of: "MENTIONS", with: mention("u1") + " " + mention("u2"))
        #expect(try !note(content: html, mentions: ["u1", "u2"]).onlyMentions)
    }

    @Test func textWithoutAnyMentionOrWithAContentWarningIsNotMentionOnly() throws {
        #expect(try !note(content: "<p>https://l.example/</p>").onlyMentions)
        #expect(try !note(content: nil).onlyMentions)
        #expect(try !note(content: mention("u1"), summary: "spoilers for the finale", mentions: ["u1"]).onlyMentions)
        let nuke = Normalizer.subject(
            for: try Activity.decode(try Fixtures.bytes("activities", "spam_nuke_bot_10_mentions.json")))
        #expect(!nuke.onlyMentions)
    }
}
