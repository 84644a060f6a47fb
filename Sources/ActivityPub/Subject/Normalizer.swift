public import Foundation

/// Turns an activity (and optionally its actor document) into the `Subject` that rules read.
///
/// Runs before a delivery is known to be authentic (for the check hook, and with `signatures.mode: evaluate`),
/// so every step takes time linear in the size of the activity, and a post yields at most `maxLinks` links,
/// `maxMentions` mentions and `maxHashtags` hashtags: the first ones in document order (tags before the
/// content's anchors, anchors before bare URLs). The rest are ignored, so `links.count`, `mentions.count` and
/// `hashtags.count` stop at the caps, far above any threshold a rule uses for "many".
public enum Normalizer {
    /// Most links kept from one post.
    public static let maxLinks = 500
    /// Most mentions kept from one post.
    public static let maxMentions = 500
    /// Most hashtags kept from one post.
    public static let maxHashtags = 500

    /// Normalises `activity`. `actor` is the sender's document when the caller has it; `now` dates account age
    /// when the activity carries no `published`.
    public static func subject(
        for activity: Activity, actor: Actor? = nil, now: Date = Date(),
        suffixList: PublicSuffixList = .shared
    ) -> Subject {
        var subject = Subject(activityType: activity.type, activityID: activity.id)
        var post: ActivityObject?
        var updatedProfile: Actor?

        switch activity.object {
        case .object(let object)?:
            post = object
            if activity.type == "Update" || activity.type == "Announce" { subject.matchTypes.insert("Create") }
        case .activity(let inner)?:
            subject.objectType = inner.type
            subject.objectID = inner.id
            if activity.type == "Announce", inner.type == "Create" || inner.type == "Update",
                case .object(let object)? = inner.object
            {
                post = object
                subject.matchTypes.insert("Create")
            }
        case .actor(let embedded)?:
            subject.objectType = embedded.type
            subject.objectID = embedded.id
            if activity.type == "Update" { updatedProfile = embedded }
        case .uri(let uri)?:
            subject.objectID = uri
        case .multiple(let references)?:
            subject.objectType = references.lazy.compactMap(\.type).first
            subject.objectID = references.lazy.compactMap(\.id).first
        case nil:
            // A bare object (some servers deliver a Note without a Create) is evaluated as itself.
            if !Activity.activityTypes.contains(activity.type), !Actor.actorTypes.contains(activity.type),
                let object = ActivityObject(json: activity.json),
                object.attributedTo != nil || object.content != nil || !object.contentMap.isEmpty
            {
                post = object
            }
        }

        let profileSource = updatedProfile ?? actor ?? activity.embeddedActor
        subject.actorID = activity.actorID ?? post?.attributedTo ?? profileSource?.id
        subject.actorHost = subject.actorID.flatMap(Hostname.host(ofID:))
        subject.published = activity.published ?? post?.published

        var to = activity.to
        var cc = activity.cc
        if let post, activity.type != "Announce" {
            to += post.to
            cc += post.cc
        }
        subject.visibility = Visibility.of(to: to, cc: cc, followersCollection: profileSource?.followers)

        switch activity.type {
        case "Flag":
            subject.flagTargets = activity.object?.ids ?? []
            if let comment = activity.content ?? activity.summary {
                subject.texts[.content] = HTMLText(html: comment).text
            }
            if let summary = activity.summary { subject.texts[.summary] = HTMLText(html: summary).text }
        case "Like", "EmojiReact", "Dislike":
            subject.reaction = activity.misskeyReaction ?? activity.content
        default:
            break
        }

        if let post {
            fill(&subject, from: post, activityTags: activity.tags, suffixList: suffixList)
        }
        if let profileSource {
            let reference = subject.published ?? now
            fill(&subject, profile: profileSource, reference: reference)
        }
        return subject
    }

    private static func fill(
        _ subject: inout Subject, from post: ActivityObject, activityTags: [Tag], suffixList: PublicSuffixList
    ) {
        subject.objectType = post.type.isEmpty ? nil : post.type
        subject.objectID = post.id
        subject.inReplyTo = post.inReplyTo
        subject.quoteTarget = post.quoteTarget
        subject.sensitive = post.sensitive
        subject.languages = post.languages
        subject.pollOptions = post.pollOptions

        let tags = post.tags + activityTags
        var mentionHrefs = SmallStringSet()
        var hashtagHrefs = SmallStringSet()
        var hashtags = Hashtags()
        for tag in tags {
            switch tag.type {
            case "Mention":
                guard subject.mentions.count < maxMentions, let href = tag.href, mentionHrefs.insert(href) else {
                    continue
                }
                subject.mentions.append(MentionRef(href: href, host: Hostname.host(ofID: href), name: tag.name))
            case "Hashtag":
                if let href = tag.href { hashtagHrefs.insert(href) }
                if let name = tag.name { hashtags.append(name) }
            default:
                break
            }
        }

        var content = ""
        var candidates: [String] = []
        var linkTexts: [Substring] = []
        let html = post.content ?? joinedContentMap(post.contentMap)
        if let html {
            let parsed = HTMLText(html: html)
            content = parsed.text
            for anchor in parsed.anchors {
                if anchor.isHashtag {
                    hashtags.append(anchor.text)
                } else if !anchor.isMention, !anchor.isQuoteFallback {
                    candidates.append(anchor.href)
                    linkTexts.append(Substring(anchor.text))
                }
            }
            candidates += parsed.bareURLs
        }
        if let misskey = post.misskeyContent {
            if !containsBytes(content, misskey) { content += content.isEmpty ? misskey : "\n\n" + misskey }
            candidates += URLScanner.urls(in: misskey)
        }
        if let source = post.source { candidates += URLScanner.urls(in: source) }
        candidates += post.attachments.filter { !$0.isMedia }.compactMap(\.url)

        var seen = SmallStringSet()
        for url in candidates where !mentionHrefs.contains(url) && !hashtagHrefs.contains(url) && url != post.quoteTarget {
            guard subject.links.count < maxLinks else { break }
            guard seen.insert(url), let host = Hostname.host(ofURL: url) else { continue }
            subject.links.append(LinkRef(url: url, host: host, registrableDomain: suffixList.registrableDomain(ofNormalized: host)))
        }
        subject.hashtags = hashtags.names

        let media = post.attachments.filter(\.isMedia)
        subject.attachmentCount = media.count
        var mediaTypes = SmallStringSet()
        subject.mediaTypes = media.compactMap(\.mediaType).filter { mediaTypes.insert($0) }
        var blurhashes = SmallStringSet()
        subject.blurhashes = media.compactMap { $0.blurhash.flatMap(Blurhash.normalized) }
            .filter { blurhashes.insert($0) }
        var digests = SmallStringSet()
        subject.mediaDigests = media.compactMap { $0.digest?.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && $0.utf8.count <= 512 && digests.insert($0) }
        subject.attachmentsWithoutAlt = media.count { $0.isVisual && !$0.hasAltText }
        let summary = post.summary.map { HTMLText(html: $0).text }
        subject.onlyMentions = MentionOnlyText.isOnlyMentions(
            summary.map { content + "\n" + $0 } ?? content, linkTexts: linkTexts, mentionTags: subject.mentions.count)

        setText(content, .content, in: &subject)
        setText(summary, .summary, in: &subject)
        setText(post.name, .name, in: &subject)
        setText(media.compactMap(\.name).joined(separator: "\n"), .alt, in: &subject)
        setText(post.pollOptions.joined(separator: "\n"), .poll, in: &subject)
        setText(subject.links.map(\.url).joined(separator: "\n"), .links, in: &subject)
    }

    private static func fill(_ subject: inout Subject, profile: Actor, reference: Date) {
        let bio = profile.summary.map { HTMLText(html: $0).text }
        let ageHours = profile.published.map { reference.timeIntervalSince($0) / 3600 }
        let actorProfile = ActorProfile(
            id: profile.id, type: profile.type, username: profile.preferredUsername, displayName: profile.name,
            bio: bio, fields: profile.fields, hasAvatar: profile.hasAvatar, published: profile.published,
            ageHours: ageHours)
        subject.actor = actorProfile
        setText(profile.preferredUsername, .actorUsername, in: &subject)
        setText(profile.name, .actorDisplayName, in: &subject)
        setText(bio, .actorBio, in: &subject)
        setText(actorProfile.fieldsText, .actorFields, in: &subject)
    }

    private static func setText(_ text: String?, _ field: TextField, in subject: inout Subject) {
        guard let text, !text.isEmpty else { return }
        subject.texts[field] = text
    }

    private static func joinedContentMap(_ map: [String: String]) -> String? {
        guard !map.isEmpty else { return nil }
        var seen: Set<String> = []
        let values = map.keys.sorted().compactMap { map[$0] }.filter { seen.insert($0).inserted }
        return values.joined(separator: "<p></p>")
    }

    /// Byte-wise substring test; `String.contains` goes through grapheme-aware search, far slower here.
    /// Knuth-Morris-Pratt, so that no text and needle can make it take more than linear time.
    private static func containsBytes(_ haystack: String, _ needle: String) -> Bool {
        let pin = Array(needle.utf8)
        guard !pin.isEmpty else { return true }
        // fallback[i]: the length of the longest proper prefix of pin[...i] that is also its suffix.
        var fallback = [Int](repeating: 0, count: pin.count)
        var matched = 0
        for index in 1..<pin.count {
            while matched > 0, pin[index] != pin[matched] { matched = fallback[matched - 1] }
            if pin[index] == pin[matched] { matched += 1 }
            fallback[index] = matched
        }
        matched = 0
        for byte in haystack.utf8 {
            while matched > 0, byte != pin[matched] { matched = fallback[matched - 1] }
            if byte == pin[matched] { matched += 1 }
            if matched == pin.count { return true }
        }
        return false
    }
}

/// A post's hashtag names, lowercased, without `#`, each once, up to `Normalizer.maxHashtags`.
private struct Hashtags {
    private(set) var names: [String] = []
    private var seen = SmallStringSet()

    mutating func append(_ raw: String) {
        guard names.count < Normalizer.maxHashtags else { return }
        // Leading `#` and `＃` (U+FF03, EF BC 83), stripped by bytes: `Substring.first` segments graphemes.
        var name = Substring(raw)
        while true {
            let utf8 = name.utf8
            if utf8.first == 0x23 {
                name = Substring(utf8.dropFirst())
            } else if utf8.starts(with: [0xEF, 0xBC, 0x83]) {
                name = Substring(utf8.dropFirst(3))
            } else {
                break
            }
        }
        // Most hashtags are ASCII, and many already lowercase: only the others go through Unicode case mapping.
        let normalized: String
        if name.utf8.allSatisfy({ $0 < 0x80 && $0 &- 0x41 >= 26 }) {
            normalized = String(name)
        } else if name.utf8.allSatisfy({ $0 < 0x80 }) {
            normalized = String(decoding: name.utf8.map { $0 &- 0x41 < 26 ? $0 | 0x20 : $0 }, as: UTF8.self)
        } else {
            normalized = name.lowercased()
        }
        if !normalized.isEmpty, seen.insert(normalized) { names.append(normalized) }
    }
}

/// A set of a few strings: a list searched in order, until it grows past where hashing pays off.
///
/// A post has a handful of links, mentions and hashtags, and hashing each URL cost more than comparing it with
/// the others; a post with thousands of tags still gets a hash set.
struct SmallStringSet {
    private static let listLimit = 24
    private var list: [String] = []
    private var set: Set<String>?

    func contains(_ member: String) -> Bool {
        if let set { return set.contains(member) }
        return list.contains(member)
    }

    /// Adds `member`; returns whether it was new.
    @discardableResult
    mutating func insert(_ member: String) -> Bool {
        if set != nil { return set!.insert(member).inserted }
        if list.contains(member) { return false }
        list.append(member)
        if list.count > Self.listLimit {
            set = Set(list)
            list = []
        }
        return true
    }
}
