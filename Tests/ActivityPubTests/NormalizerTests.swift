import Foundation
import Testing

@testable import ActivityPub

@Suite struct NormalizerTests {
    private func subject(_ file: String, actor actorFile: String? = nil, now: Date = Date()) throws -> Subject {
        let activity = try Activity.decode(try Fixtures.bytes("activities", file))
        let actor = try actorFile.map { try Actor.decode(try Fixtures.bytes("actors", $0)) }
        return Normalizer.subject(for: activity, actor: actor, now: now)
    }

    private static let pub = "https://www.w3.org/ns/activitystreams#Public"
    private static let followers = "https://a.example/users/x/followers"

    @Test(arguments: [
        ([pub], [followers], Visibility.public),
        (["as:Public"], [], .public),
        (["Public"], [], .public),
        ([followers], [pub], .unlisted),
        ([followers], ["as:Public"], .unlisted),
        ([followers], [], .followers),
        (["https://a.example/users/x/fans"], [], .followers),
        (["https://b.example/users/y"], [], .direct),
        ([], ["https://b.example/users/y"], .direct),
        ([], [], .unknown),
    ])
    func visibility(to: [String], cc: [String], expected: Visibility) throws {
        var members: JSONObject = [
            "type": .string("Create"), "actor": .string("https://a.example/users/x"),
            "to": .array(to.map(JSONValue.string)), "cc": .array(cc.map(JSONValue.string)),
        ]
        members["object"] = .object(["type": .string("Note"), "content": .string("hi")])
        let activity = try Activity(json: .object(members))
        let actor = try Actor(json: .object([
            "id": .string("https://a.example/users/x"), "followers": .string("https://a.example/users/x/fans"),
        ]))
        #expect(Normalizer.subject(for: activity, actor: actor).visibility == expected)
    }

    @Test func scalarAddressingIsHandled() throws {
        let activity = try Activity(json: try JSONValue.parse(#"{"type": "Announce", "actor": "https://g.example/u/a", "to": "https://g.example/u/a/followers", "cc": "https://g.example/u/a", "object": "https://g.example/s/1"}"#))
        #expect(activity.to == ["https://g.example/u/a/followers"])
        #expect(activity.cc == ["https://g.example/u/a"])
        #expect(Normalizer.subject(for: activity).visibility == .followers)
    }

    @Test func editIsEvaluatedLikeCreate() throws {
        let edit = try subject("update_note_edit.json")
        #expect(edit.matchTypes == ["Update", "Create"])
        #expect(edit.objectType == "Note")
        #expect(edit.text(.content).contains("kingfisher"))
        let profileEdit = try subject("update_person.json")
        #expect(profileEdit.matchTypes == ["Update"])
    }

    @Test func announceOfEmbeddedCreateUsesInnermostObject() throws {
        let relay = try subject("lemmy_announce_create_page.json")
        #expect(relay.matchTypes == ["Announce", "Create"])
        #expect(relay.objectType == "Page")
        #expect(relay.objectID == "https://lemmy.example/post/4711")
        #expect(relay.text(.name) == "Best mulch for raised beds?")
        #expect(relay.actorID == "https://lemmy.example/c/gardening")
        let boost = try subject("announce_uri.json")
        #expect(boost.matchTypes == ["Announce"])
        #expect(boost.objectType == nil)
        #expect(boost.objectID == "https://misskey.example/notes/9t1a2b3c4d")
    }

    @Test func reactionIsNotContent() throws {
        let like = try subject("like_misskey_reaction.json")
        #expect(like.reaction == ":blobcat_heart:")
        #expect(like.texts[.content] == nil)
        #expect(like.hashtags.isEmpty)
        let react = try subject("emojireact.json")
        #expect(react.reaction == "🔥")
        #expect(react.texts.isEmpty)
    }

    @Test func flagTargetsAndComment() throws {
        let mastodon = try subject("flag_object_array.json")
        #expect(mastodon.flagTargets == [
            "https://open-reg.example/users/kq3vxz8r1m",
            "https://open-reg.example/users/kq3vxz8r1m/statuses/111985188827079562",
            "https://open-reg.example/users/kq3vxz8r1m/statuses/111985188827079563",
        ])
        #expect(mastodon.text(.content) == "Spam wave: same text sent to dozens of people")
        let lemmy = try subject("flag_single_uri.json")
        #expect(lemmy.flagTargets == ["https://lemmy.example/post/4712"])
        #expect(lemmy.text(.content) == "advertising, not gardening")
        #expect(lemmy.text(.summary) == "advertising, not gardening")
    }

    @Test func accountAgeAgainstActivityDate() throws {
        let spam = try subject("spam_feb2024_link_then_mentions.json", actor: "new_random_username.json")
        let profile = try #require(spam.actor)
        #expect(profile.ageHours == 1.0)
        #expect(profile.username == "kq3vxz8r1m")
        #expect(profile.displayName == profile.username)
        #expect(!profile.hasAvatar)
        #expect(spam.text(.actorUsername) == "kq3vxz8r1m")
        #expect(spam.texts[.actorBio] == nil)
    }

    @Test func accountAgeFallsBackToNow() throws {
        let follow = try subject(
            "follow.json", actor: "mastodon_person_longlived.json",
            now: Date(timeIntervalSince1970: 1_522_540_800 + 36 * 3600))
        #expect(follow.actor?.ageHours == 36)
        #expect(follow.actor?.hasAvatar == true)
        #expect(follow.text(.actorFields) == "Blog: https://blog.alice.example\nLocation: Rhine valley")
        #expect(follow.text(.actorBio) == "Birdwatcher & gardener.\nPosts in English and Deutsch.")
    }

    @Test func updatePersonFillsProfileNotContent() throws {
        let update = try subject("update_person.json", actor: "new_random_username.json")
        #expect(update.texts[.content] == nil)
        #expect(update.texts[.summary] == nil)
        #expect(update.actor?.username == "alice")
        #expect(update.text(.actorDisplayName) == "Alice 🌿 (she/her)")
        #expect(update.text(.actorBio) == "Birdwatcher & gardener. Posts about #birds.")
        #expect(update.text(.actorFields) == "Website: https://blog.alice.example\nPronouns: she/her")
    }

    @Test func embeddedActorIsUsedWhenNoneSupplied() throws {
        let activity = try Activity.decode(try Fixtures.bytes("activities", "create_note_embedded_actor.json"))
        #expect(activity.actorID == "https://pleroma.example/users/carol")
        #expect(activity.embeddedActor?.preferredUsername == "carol")
        let subject = Normalizer.subject(for: activity)
        #expect(subject.actor?.displayName == "Carol")
        #expect(subject.actor?.ageHours ?? 0 > 30_000)
    }

    @Test func mentionsComeFromTagsNotCC() throws {
        let spam = try subject("spam_feb2024_link_then_mentions.json")
        #expect(spam.mentions.count == 5)
        #expect(spam.mentions[0] == MentionRef(href: "https://misskey.example/users/9gol6f8zff", host: "misskey.example", name: "@nao_ya@misskey.example"))
        #expect(spam.mentionHosts == ["misskey.example", "mk.example", "mk2.example"])
        #expect(spam.links == [LinkRef(url: "https://荒らし.com/", host: "xn--68j5e377y.com", registrableDomain: "xn--68j5e377y.com")])
        #expect(spam.text(.links) == "https://荒らし.com/")
        let dm = try subject("create_note_followers_only.json")
        #expect(dm.mentions.isEmpty)
    }

    @Test func linksExcludeMentionsHashtagsAndQuoteFallback() throws {
        let art = try subject("legit_art_post_15_hashtags.json")
        #expect(art.links.isEmpty)
        #expect(art.hashtags.count == 15)
        let quote = try subject("mastodon45_create_note_quote.json")
        #expect(quote.links.isEmpty)
        #expect(quote.isQuote)
        let misskey = try subject("misskey_create_note_quote_japanese.json")
        #expect(misskey.links.isEmpty)
        #expect(misskey.quoteTarget == "https://misskey.example/notes/9t19zzzzzz")
        let casino = try subject("spam_casino_crypto_link.json")
        #expect(casino.linkHosts == ["bonus.lucky-casino.example.co.uk", "claim.airdrop-x.example.com"])
    }

    @Test func onlyWebLinksCountWhateverTheSchemeCase() throws {
        let html = """
            <p><a href="HTTPS://Shop.Example.co.uk/a">a</a> <a href="Http://b.example/">b</a> \
            <a href="ftp://c.example/f">c</a> <a href="httpx://d.example/">d</a> <a href="https:/e.example">e</a> \
            <a href="http:">f</a></p>
            """
        let activity = try Activity(json: .object([
            "type": .string("Create"), "actor": .string("https://a.example/users/x"),
            "object": .object(["type": .string("Note"), "content": .string(html)]),
        ]))
        let subject = Normalizer.subject(for: activity)
        // `https:/e.example` is a link to e.example: browsers read any run of slashes after the scheme.
        #expect(subject.links.map(\.url) == ["HTTPS://Shop.Example.co.uk/a", "Http://b.example/", "https:/e.example"])
        #expect(subject.links.map(\.host) == ["shop.example.co.uk", "b.example", "e.example"])
        #expect(subject.links.map(\.registrableDomain) == ["example.co.uk", "b.example", "e.example"])
    }

    @Test func hashtagsAreLowercasedOnceEachInAnyScript() throws {
        let tags: [JSONValue] = ["#Birds", "#BIRDS", "＃ÄpfelKuchen", "#äpfelkuchen", "#İstanbul", "#Zz9_"].map { name in
            .object(["type": .string("Hashtag"), "name": .string(name)])
        }
        let activity = try Activity(json: .object([
            "type": .string("Create"), "actor": .string("https://a.example/users/x"),
            "object": .object(["type": .string("Note"), "content": .string("<p>hi</p>"), "tag": .array(tags)]),
        ]))
        #expect(Normalizer.subject(for: activity).hashtags == ["birds", "äpfelkuchen", "i̇stanbul", "zz9_"])
    }

    @Test func smallStringSetAgreesWithASetPastItsListLimit() {
        var small = SmallStringSet()
        var reference: Set<String> = []
        for round in 0..<200 {
            let member = "https://a.example/users/\(round * 7 % 61)"
            #expect(small.insert(member) == reference.insert(member).inserted)
            #expect(small.contains("https://a.example/users/\(round % 70)") == reference.contains("https://a.example/users/\(round % 70)"))
        }
        #expect(reference.count == 61)
    }

    @Test func manyRepeatedMentionsAndLinksAreCountedOnce() throws {
        var tags: [JSONValue] = []
        var html = "<p>"
        for index in 0..<90 {
            let user = "https://b.example/users/u\(index % 30)"
            tags.append(.object(["type": .string("Mention"), "href": .string(user), "name": .string("@u\(index % 30)")]))
            html += "<a href=\"\(user)\">@u\(index % 30)</a> <a href=\"https://l\(index % 40).example/\">x</a> "
        }
        let activity = try Activity(json: .object([
            "type": .string("Create"), "actor": .string("https://a.example/users/x"),
            "object": .object(["type": .string("Note"), "content": .string(html + "</p>"), "tag": .array(tags)]),
        ]))
        let subject = Normalizer.subject(for: activity)
        #expect(subject.mentions.count == 30)
        #expect(subject.links.map(\.url) == (0..<40).map { "https://l\($0).example/" })
    }

    @Test func lemmyLinkPostCountsLinkNotMedia() throws {
        let page = try subject("lemmy_create_page.json")
        #expect(page.attachmentCount == 0)
        #expect(page.links.map(\.url) == ["https://extension.garden.example/mulch-guide"])
    }

    @Test func pollAltAndMedia() throws {
        let poll = try subject("create_question_poll.json")
        #expect(poll.pollOptions == ["Heron", "Kingfisher", "Blackbird"])
        #expect(poll.text(.poll) == "Heron\nKingfisher\nBlackbird")
        let photo = try subject("create_note_mention_hashtag_attachment.json")
        #expect(photo.text(.alt) == "A grey heron standing in shallow water")
        #expect(photo.mediaTypes == ["image/jpeg"])
        #expect(!photo.sensitive)
    }

    @Test func misskeyContentIsNotDuplicated() throws {
        let chatter = try subject("legit_misskey_japanese_chatter.json")
        #expect(chatter.text(.content) == "今日のお昼はカレーうどんにしました🍛\n雨の日はやっぱり温かいものがいいね")
        let json = try JSONValue.parse(#"{"type": "Create", "actor": "https://m.example/users/a", "object": {"type": "Note", "_misskey_content": "MFM only https://x.example/y"}}"#)
        let mfmOnly = Normalizer.subject(for: try Activity(json: json))
        #expect(mfmOnly.text(.content) == "MFM only https://x.example/y")
        #expect(mfmOnly.links.map(\.host) == ["x.example"])
    }

    @Test func typeArrayTakesFirstString() throws {
        let activity = try Activity.decode(try Fixtures.bytes("activities", "unknown_type_bite.json"))
        #expect(activity.type == "Bite")
        #expect(activity.target == "https://social.example/users/alice")
        let subject = Normalizer.subject(for: activity)
        #expect(subject.texts.isEmpty)
        #expect(subject.objectType == nil)
    }

    @Test func bareNoteIsEvaluatedAsItself() throws {
        let json = try JSONValue.parse(#"{"type": "Note", "id": "https://s.example/o/1", "attributedTo": "https://s.example/u/1", "to": "https://s.example/u/2", "content": "RE: https://s.example/o/0", "tag": [{"type": "Link", "mediaType": "application/activity+json", "href": "https://s.example/o/0"}]}"#)
        let subject = Normalizer.subject(for: try Activity(json: json))
        #expect(subject.objectType == "Note")
        #expect(subject.actorID == "https://s.example/u/1")
        #expect(subject.quoteTarget == "https://s.example/o/0")
        #expect(subject.links.isEmpty)
        #expect(subject.visibility == .direct)
    }

    @Test func undoAndDeleteKeepObjectIdentity() throws {
        let undo = try subject("undo_follow.json")
        #expect(undo.objectType == "Follow")
        #expect(undo.objectID == "https://social.example/6a6a0000-0000-4000-8000-000000000022")
        let deleteActor = try subject("delete_actor.json")
        #expect(deleteActor.objectType == "Person")
        #expect(deleteActor.actor == nil)
        let move = try Activity.decode(try Fixtures.bytes("activities", "move.json"))
        #expect(move.target == "https://social.example/users/erin")
    }
}
