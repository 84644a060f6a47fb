import Foundation
import Testing

@testable import ActivityPub

/// What normalising one fixture in `Fixtures/activities` must produce.
struct FixtureExpectation: Sendable, CustomTestStringConvertible {
    var file: String
    var type: String
    var objectType: String?
    var matchTypes: Set<String>
    var visibility: Visibility
    var actorHost: String?
    var mentions = 0
    var linkDomains: [String] = []
    var hashtags: [String] = []
    var quote: String?
    var attachments = 0
    var isReply = false
    var languages: [String] = []
    var contentPrefix: String?

    var testDescription: String { file }
}

private let pub = "https://www.w3.org/ns/activitystreams#Public"

let fixtureTable: [FixtureExpectation] = [
    .init(file: "announce_embedded_note.json", type: "Announce", objectType: "Note", matchTypes: ["Announce", "Create"],
          visibility: .unlisted, actorHost: "pleroma.example", linkDomains: ["code.example"],
          contentPrefix: "Release 2.0 is out: https://code.example/"),
    .init(file: "announce_uri.json", type: "Announce", objectType: nil, matchTypes: ["Announce"], visibility: .public,
          actorHost: "social.example"),
    .init(file: "block.json", type: "Block", objectType: nil, matchTypes: ["Block"], visibility: .unknown,
          actorHost: "social.example"),
    .init(file: "create_note_contentmap_only.json", type: "Create", objectType: "Note", matchTypes: ["Create"],
          visibility: .public, actorHost: "social.example", languages: ["de", "en"],
          contentPrefix: "Guten Morgen aus Berlin!\n\nGood morning from Berlin!"),
    .init(file: "create_note_dm.json", type: "Create", objectType: "Note", matchTypes: ["Create"], visibility: .direct,
          actorHost: "social.example", mentions: 1, languages: ["en"], contentPrefix: "@dave are we"),
    .init(file: "create_note_embedded_actor.json", type: "Create", objectType: "Note", matchTypes: ["Create"],
          visibility: .public, actorHost: "pleroma.example", contentPrefix: "Patch release tonight."),
    .init(file: "create_note_fep_e232_quote_tag.json", type: "Create", objectType: "Note", matchTypes: ["Create"],
          visibility: .public, actorHost: "pleroma.example",
          quote: "https://social.example/users/alice/statuses/112000000000000001", contentPrefix: "This is worth a read:"),
    .init(file: "create_note_followers_only.json", type: "Create", objectType: "Note", matchTypes: ["Create"],
          visibility: .followers, actorHost: "social.example", languages: ["en"], contentPrefix: "Only for friends"),
    .init(file: "create_note_mention_hashtag_attachment.json", type: "Create", objectType: "Note",
          matchTypes: ["Create"], visibility: .public, actorHost: "social.example", mentions: 1, hashtags: ["birds"],
          attachments: 1, languages: ["en"], contentPrefix: "Morning walk by the river with @bob, the herons"),
    .init(file: "create_note_reply.json", type: "Create", objectType: "Note", matchTypes: ["Create"],
          visibility: .public, actorHost: "social.example", mentions: 1, isReply: true, languages: ["en"],
          contentPrefix: "@carol Thanks, that fixed it & the build"),
    .init(file: "create_note_unlisted.json", type: "Create", objectType: "Note", matchTypes: ["Create"],
          visibility: .unlisted, actorHost: "social.example", linkDomains: ["alice.example"], languages: ["en"],
          contentPrefix: "Quiet update: the blog moved to https://blog.alice.example/"),
    .init(file: "create_question_poll.json", type: "Create", objectType: "Question", matchTypes: ["Create"],
          visibility: .public, actorHost: "social.example", languages: ["en"], contentPrefix: "Which bird"),
    .init(file: "delete_actor.json", type: "Delete", objectType: "Person", matchTypes: ["Delete"], visibility: .public,
          actorHost: "open-reg.example"),
    .init(file: "delete_tombstone.json", type: "Delete", objectType: "Tombstone", matchTypes: ["Delete"],
          visibility: .public, actorHost: "social.example"),
    .init(file: "delete_uri.json", type: "Delete", objectType: nil, matchTypes: ["Delete"], visibility: .public,
          actorHost: "pleroma.example"),
    .init(file: "emojireact.json", type: "EmojiReact", objectType: nil, matchTypes: ["EmojiReact"],
          visibility: .unlisted, actorHost: "pleroma.example"),
    .init(file: "flag_object_array.json", type: "Flag", objectType: nil, matchTypes: ["Flag"], visibility: .direct,
          actorHost: "social.example", contentPrefix: "Spam wave: same text"),
    .init(file: "flag_single_uri.json", type: "Flag", objectType: nil, matchTypes: ["Flag"], visibility: .direct,
          actorHost: "lemmy.example", contentPrefix: "advertising, not gardening"),
    .init(file: "follow.json", type: "Follow", objectType: nil, matchTypes: ["Follow"], visibility: .unknown,
          actorHost: "social.example"),
    .init(file: "gts_create_note_scalar_addressing.json", type: "Create", objectType: "Note", matchTypes: ["Create"],
          visibility: .public, actorHost: "gts.example", mentions: 1, attachments: 1,
          contentPrefix: "Hi @alice, glad you liked it."),
    .init(file: "legit_art_post_15_hashtags.json", type: "Create", objectType: "Note", matchTypes: ["Create"],
          visibility: .public, actorHost: "social.example",
          hashtags: ["mastoart", "art", "digitalart", "illustration", "painting", "watercolor", "birds", "heron",
                     "natureart", "wildlifeart", "artistsonmastodon", "creativetoots", "sketch", "procreate", "artwork"],
          attachments: 1, languages: ["en"], contentPrefix: "Finished this heron study"),
    .init(file: "legit_misskey_japanese_chatter.json", type: "Create", objectType: "Note", matchTypes: ["Create"],
          visibility: .public, actorHost: "misskey.example", contentPrefix: "今日のお昼はカレーうどんにしました🍛\n雨の日"),
    .init(file: "legit_newsletter_article_service.json", type: "Create", objectType: "Article", matchTypes: ["Create"],
          visibility: .public, actorHost: "news.example",
          linkDomains: ["example.org", "example.co.uk", "example.com"], contentPrefix: "This week\nA new draft"),
    .init(file: "legit_quote_post_re_url.json", type: "Create", objectType: "Note", matchTypes: ["Create"],
          visibility: .public, actorHost: "fedibird.example", quote: "https://lemmy.example/post/4711",
          contentPrefix: "Good thread on mulch.\nRE: https://lemmy.example/post/4711"),
    .init(file: "legit_thread_22_mentions.json", type: "Create", objectType: "Note", matchTypes: ["Create"],
          visibility: .public, actorHost: "social.example", mentions: 22, isReply: true, languages: ["en"],
          contentPrefix: "@friend00 @mkfriend01"),
    .init(file: "lemmy_announce_create_page.json", type: "Announce", objectType: "Page",
          matchTypes: ["Announce", "Create"], visibility: .public, actorHost: "lemmy.example",
          linkDomains: ["garden.example"], languages: ["en"], contentPrefix: "I have been reading this guide"),
    .init(file: "lemmy_create_comment.json", type: "Create", objectType: "Note", matchTypes: ["Create"],
          visibility: .public, actorHost: "lemmy.example", mentions: 1, isReply: true, contentPrefix: "Straw works"),
    .init(file: "lemmy_create_page.json", type: "Create", objectType: "Page", matchTypes: ["Create"],
          visibility: .public, actorHost: "lemmy.example", linkDomains: ["garden.example"], languages: ["en"],
          contentPrefix: "I have been reading this guide and wonder what you use."),
    .init(file: "like_misskey_reaction.json", type: "Like", objectType: nil, matchTypes: ["Like"], visibility: .unknown,
          actorHost: "misskey.example"),
    .init(file: "mastodon45_create_note_quote.json", type: "Create", objectType: "Note", matchTypes: ["Create"],
          visibility: .public, actorHost: "social.example", quote: "https://misskey.example/notes/9t19zzzzzz",
          languages: ["en"], contentPrefix: "Exactly this.\n\nRE: https://misskey.example/notes/9t19zzzz"),
    .init(file: "misskey_create_note_quote_japanese.json", type: "Create", objectType: "Note", matchTypes: ["Create"],
          visibility: .public, actorHost: "misskey.example", quote: "https://misskey.example/notes/9t19zzzzzz",
          contentPrefix: "それは投稿者の設定次第だと思う\n古い投稿は"),
    .init(file: "move.json", type: "Move", objectType: nil, matchTypes: ["Move"], visibility: .followers,
          actorHost: "gts.example"),
    .init(file: "spam_casino_crypto_link.json", type: "Create", objectType: "Note", matchTypes: ["Create"],
          visibility: .public, actorHost: "open-reg.example", linkDomains: ["example.co.uk", "example.com"],
          languages: ["en"], contentPrefix: "🎰 Free 500 USDT bonus"),
    .init(file: "spam_crowdfunding_mention_blast.json", type: "Create", objectType: "Note", matchTypes: ["Create"],
          visibility: .public, actorHost: "open-reg.example", mentions: 12, linkDomains: ["gofund.example"],
          hashtags: ["gaza", "help", "donate", "family", "urgent", "gofundme", "mutualaid", "humanity", "children",
                     "support"],
          languages: ["en"], contentPrefix: "Please help my family"),
    .init(file: "spam_feb2024_link_then_mentions.json", type: "Create", objectType: "Note", matchTypes: ["Create"],
          visibility: .public, actorHost: "open-reg.example", mentions: 5, linkDomains: ["xn--68j5e377y.com"],
          languages: ["ja"], contentPrefix: "https://荒らし.com/\n\n@nao_ya\n@fizz"),
    .init(file: "spam_feb2024_mention_only_japanese.json", type: "Create", objectType: "Note", matchTypes: ["Create"],
          visibility: .public, actorHost: "open-reg.example", mentions: 4, languages: ["ja"],
          contentPrefix: "画像が貼れなかったのでメンションだけします\n\n@nao_ya @fizz"),
    .init(file: "spam_nicole_dm.json", type: "Create", objectType: "Note", matchTypes: ["Create"], visibility: .direct,
          actorHost: "open-reg.example", mentions: 1, attachments: 1, languages: ["en"],
          contentPrefix: "@alice Hi, I'm Nicole, the Fediverse Chick"),
    .init(file: "spam_nuke_bot_10_mentions.json", type: "Create", objectType: "Note", matchTypes: ["Create"],
          visibility: .public, actorHost: "misskey-open.example", mentions: 10, linkDomains: ["discord.example"],
          languages: ["en"], contentPrefix: "@user0 @user1"),
    .init(file: "undo_follow.json", type: "Undo", objectType: "Follow", matchTypes: ["Undo"], visibility: .unknown,
          actorHost: "social.example"),
    .init(file: "unknown_type_bite.json", type: "Bite", objectType: nil, matchTypes: ["Bite"], visibility: .direct,
          actorHost: "iceshrimp.example"),
    .init(file: "update_note_edit.json", type: "Update", objectType: "Note", matchTypes: ["Update", "Create"],
          visibility: .public, actorHost: "social.example", languages: ["en"],
          contentPrefix: "Morning walk by the river, the herons are back! (edit"),
    .init(file: "update_person.json", type: "Update", objectType: "Person", matchTypes: ["Update"], visibility: .public,
          actorHost: "social.example"),
]

@Suite struct ActivityFixtureTests {
    @Test func tableCoversEveryFixture() throws {
        #expect(try Fixtures.names(in: "activities") == fixtureTable.map(\.file).sorted())
    }

    @Test(arguments: fixtureTable)
    func normalisesFixture(_ expected: FixtureExpectation) throws {
        let activity = try Activity.decode(try Fixtures.bytes("activities", expected.file))
        let subject = Normalizer.subject(for: activity)
        #expect(subject.activityType == expected.type)
        #expect(subject.objectType == expected.objectType)
        #expect(subject.matchTypes == expected.matchTypes)
        #expect(subject.visibility == expected.visibility)
        #expect(subject.actorHost == expected.actorHost)
        #expect(subject.mentions.count == expected.mentions)
        #expect(subject.linkDomains == expected.linkDomains)
        #expect(subject.hashtags == expected.hashtags)
        #expect(subject.quoteTarget == expected.quote)
        #expect(subject.attachmentCount == expected.attachments)
        #expect(subject.isReply == expected.isReply)
        #expect(subject.languages == expected.languages)
        if let prefix = expected.contentPrefix {
            #expect(subject.text(.content).hasPrefix(prefix), "content was \(subject.text(.content).debugDescription)")
        } else {
            #expect(subject.texts[.content] == nil)
        }
        #expect(subject.activityID == activity.id)
        #expect(activity.json["type"] != nil)
    }
}
