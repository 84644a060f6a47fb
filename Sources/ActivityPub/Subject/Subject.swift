public import Foundation

/// The normalised facts about one activity that rules read. See `docs/subject.md` for the field contract.
public struct Subject: Sendable, Equatable {
    /// The activity type (`type` in rules).
    public var activityType: String
    /// The types whose rules apply: the activity type, plus `Create` for edits and for boosts that embed the post.
    public var matchTypes: Set<String>
    /// Type of the embedded object (innermost for `Announce{Create{…}}`); nil when the object is a bare URI.
    public var objectType: String?
    public var activityID: String?
    public var objectID: String?
    public var actorID: String?
    /// Normalised host of `actorID`; nil when it is not a valid id (`Hostname.host(ofID:)`): an actor id with
    /// userinfo or a backslash never counts as any host.
    public var actorHost: String?
    /// Plain-text fields; absent when empty.
    public var texts: [TextField: String]
    public var links: [LinkRef]
    /// Lowercased, without `#`.
    public var hashtags: [String]
    /// From `Mention` tags, not from `cc`.
    public var mentions: [MentionRef]
    /// Media attachments (not `Link` attachments).
    public var attachmentCount: Int
    public var mediaTypes: [String]
    /// The media's blurhashes as comparison keys (`Blurhash.normalized`), each once, in attachment order.
    public var blurhashes: [String]
    /// The file digests the sender states for its media (`digestMultibase` or `digest`), each once.
    public var mediaDigests: [String]
    /// Images and videos without alt text.
    public var attachmentsWithoutAlt: Int
    /// The post's text is nothing but mentions and links, with at least one mention (`MentionOnlyText`).
    public var onlyMentions: Bool
    public var visibility: Visibility
    public var languages: [String]
    public var inReplyTo: String?
    public var quoteTarget: String?
    public var pollOptions: [String]
    public var sensitive: Bool
    public var published: Date?
    public var actor: ActorProfile?
    /// For `Flag`: the reported account and object URIs.
    public var flagTargets: [String]
    /// For `Like`/`EmojiReact`: the reaction emoji or shortcode (never put in `content`).
    public var reaction: String?

    public init(
        activityType: String, matchTypes: Set<String>? = nil, objectType: String? = nil, activityID: String? = nil,
        objectID: String? = nil, actorID: String? = nil, actorHost: String? = nil, texts: [TextField: String] = [:],
        links: [LinkRef] = [], hashtags: [String] = [], mentions: [MentionRef] = [], attachmentCount: Int = 0,
        mediaTypes: [String] = [], visibility: Visibility = .unknown, languages: [String] = [],
        inReplyTo: String? = nil, quoteTarget: String? = nil, pollOptions: [String] = [], sensitive: Bool = false,
        published: Date? = nil, actor: ActorProfile? = nil, flagTargets: [String] = [], reaction: String? = nil,
        blurhashes: [String] = [], mediaDigests: [String] = [], attachmentsWithoutAlt: Int = 0,
        onlyMentions: Bool = false
    ) {
        self.activityType = activityType
        self.matchTypes = matchTypes ?? [activityType]
        self.objectType = objectType
        self.activityID = activityID
        self.objectID = objectID
        self.actorID = actorID
        self.actorHost = actorHost
        self.texts = texts
        self.links = links
        self.hashtags = hashtags
        self.mentions = mentions
        self.attachmentCount = attachmentCount
        self.mediaTypes = mediaTypes
        self.visibility = visibility
        self.languages = languages
        self.inReplyTo = inReplyTo
        self.quoteTarget = quoteTarget
        self.pollOptions = pollOptions
        self.sensitive = sensitive
        self.published = published
        self.actor = actor
        self.flagTargets = flagTargets
        self.reaction = reaction
        self.blurhashes = blurhashes
        self.mediaDigests = mediaDigests
        self.attachmentsWithoutAlt = attachmentsWithoutAlt
        self.onlyMentions = onlyMentions
    }

    /// The text of `field`, or "" when absent.
    public func text(_ field: TextField) -> String { texts[field] ?? "" }

    public var isReply: Bool { inReplyTo != nil }
    public var isQuote: Bool { quoteTarget != nil }
    /// Length of `content` in characters (`text.length` in rules).
    public var textLength: Int { texts[.content]?.count ?? 0 }
    public var linkHosts: [String] { unique(links.map(\.host)) }
    public var linkDomains: [String] { unique(links.map { $0.registrableDomain ?? $0.host }) }
    public var mentionHosts: [String] { unique(mentions.compactMap(\.host)) }

    private func unique(_ values: [String]) -> [String] {
        var seen: Set<String> = []
        return values.filter { seen.insert($0).inserted }
    }
}
