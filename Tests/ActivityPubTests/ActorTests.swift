import Foundation
import Testing

@testable import ActivityPub

@Suite struct ActorTests {
    private func actor(_ name: String) throws -> Actor {
        try Actor.decode(try Fixtures.bytes("actors", name))
    }

    @Test func longLivedMastodonPerson() throws {
        let alice = try actor("mastodon_person_longlived.json")
        #expect(alice.id == "https://social.example/users/alice")
        #expect(alice.type == "Person")
        #expect(alice.preferredUsername == "alice")
        #expect(alice.name == "Alice 🌿")
        #expect(alice.hasAvatar)
        #expect(alice.published == Date(timeIntervalSince1970: 1_522_540_800))
        #expect(alice.fields == [.init(name: "Blog", value: "https://blog.alice.example"), .init(name: "Location", value: "Rhine valley")])
        #expect(alice.publicKey?.id == "https://social.example/users/alice#main-key")
        #expect(alice.publicKey?.owner == alice.id)
        #expect(alice.publicKey?.pem?.hasPrefix("-----BEGIN PUBLIC KEY-----\n") == true)
        #expect(alice.inbox == "https://social.example/users/alice/inbox")
        #expect(alice.sharedInbox == "https://social.example/inbox")
        #expect(alice.followers == "https://social.example/users/alice/followers")
        #expect(alice.alsoKnownAs == ["https://old.example/users/alice"])
        #expect(alice.movedTo == nil)
    }

    @Test func brandNewRandomUsername() throws {
        let spammer = try actor("new_random_username.json")
        #expect(spammer.preferredUsername?.count == 10)
        #expect(spammer.name == spammer.preferredUsername)
        #expect(!spammer.hasAvatar)
        #expect(spammer.summary == nil)
        #expect(spammer.fields.isEmpty)
    }

    @Test func misskeyPersonWithFractionalPublished() throws {
        let bob = try actor("misskey_person.json")
        #expect(bob.type == "Person")
        #expect(bob.name == "ぼぶ:blobcat:")
        #expect(bob.fields == [.init(name: "好きなもの", value: "うどん")])
        #expect(bob.published == Date(timeIntervalSince1970: 1_673_751_600))
        #expect(bob.hasAvatar)
    }

    @Test func serviceBotWithPathKeyID() throws {
        let bot = try actor("service_bot.json")
        #expect(bot.type == "Service")
        #expect(bot.publicKey?.id == "https://news.example/users/weekly/main-key")
    }

    @Test func lemmyGroup() throws {
        let group = try actor("lemmy_group.json")
        #expect(group.type == "Group")
        #expect(group.preferredUsername == "gardening")
        #expect(group.followers == "https://lemmy.example/c/gardening/followers")
        #expect(try #require(group.published).timeIntervalSince1970 == 1_686_564_000.123456)
    }

    @Test func movedActor() throws {
        let json = try JSONValue.parse(#"{"id": "https://a.example/u/x", "type": "Person", "movedTo": "https://b.example/u/x", "alsoKnownAs": "https://b.example/u/x"}"#)
        let moved = try Actor(json: json)
        #expect(moved.movedTo == "https://b.example/u/x")
        #expect(moved.alsoKnownAs == ["https://b.example/u/x"])
    }

    @Test func requiresAnID() throws {
        #expect {
            try Actor(json: try JSONValue.parse(#"{"type": "Person"}"#))
        } throws: { ($0 as? ActivityPubError)?.code == .missingField && ($0 as? ActivityPubError)?.path == "$.id" }
        #expect {
            try Actor(json: .string("x"))
        } throws: { ($0 as? ActivityPubError)?.code == .notAnObject }
    }

    @Test(arguments: [
        ("2024-02-17T06:06:14Z", 1_708_149_974.0),
        ("2024-02-17T06:06:14.500Z", 1_708_149_974.5),
        ("2024-02-17T08:06:14+02:00", 1_708_149_974.0),
        ("2024-02-17T01:06:14-0500", 1_708_149_974.0),
        ("2024-02-17T06:06:14", 1_708_149_974.0),
        ("2021-11-01T12:11:22.871846Z", 1_635_768_682.871846),
        ("1969-12-31T23:59:59Z", -1.0),
    ])
    func parsesTimestamps(text: String, seconds: Double) throws {
        let date = try #require(Timestamp.parse(text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.000_01)
    }

    @Test(arguments: ["", "2024-02-17", "2024-13-01T00:00:00Z", "2024-02-17T25:00:00Z", "yesterday", "2024-02-17T06:06:14Zjunk"])
    func rejectsBadTimestamps(text: String) {
        #expect(Timestamp.parse(text) == nil)
    }
}
