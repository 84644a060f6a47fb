public import ActivityPub
import Foundation

extension Subject {
    /// The value of a named field as rules read it (see `SubjectFieldCatalog`), or nil when it has none.
    public func fieldValue(_ name: String) -> FieldValue? {
        SubjectFieldKey(name).flatMap(fieldValue)
    }

    /// The value of a field resolved once, when the rule was loaded: no string comparisons per evaluation.
    func fieldValue(_ key: SubjectFieldKey) -> FieldValue? {
        switch key {
        case .named(.type): return .string(activityType)
        case .named(.objectType): return objectType.map { .string($0) }
        case .named(.actorId): return actorID.map { .string($0) }
        case .named(.actorHost): return actorHost.map { .string($0) }
        case .named(.visibility): return .string(visibility.rawValue)
        case .named(.language): return .list(languages)
        case .named(.hashtags): return .list(hashtags)
        case .named(.mentions): return .list(mentions.map(\.href))
        case .named(.mentionHosts): return .list(mentionHosts)
        case .named(.linkHosts): return .list(linkHosts)
        case .named(.linkDomains): return .list(linkDomains)
        case .named(.mediaTypes): return .list(mediaTypes)
        case .named(.mediaBlurhashes): return .list(blurhashes)
        case .named(.linksFromMedia): return .list(mediaLinks)
        case .named(.attachmentsWithoutAlt): return .number(Double(attachmentsWithoutAlt))
        case .named(.textOnlyMentions): return .bool(onlyMentions)
        case .named(.mentionsCount): return .number(Double(mentions.count))
        case .named(.linksCount): return .number(Double(links.count))
        case .named(.hashtagsCount): return .number(Double(hashtags.count))
        case .named(.attachmentsCount): return .number(Double(attachmentCount))
        case .named(.pollOptions): return .number(Double(pollOptions.count))
        case .named(.textLength): return .number(Double(textLength))
        case .named(.isReply): return .bool(isReply)
        case .named(.isQuote): return .bool(isQuote)
        case .named(.isSensitive): return .bool(sensitive)
        case .named(.inReplyTo): return inReplyTo.map { .string($0) }
        case .named(.quote): return quoteTarget.map { .string($0) }
        case .named(.actorType): return actor.map { .string($0.type) }
        case .named(.actorHasAvatar): return actor.map { .bool($0.hasAvatar) }
        case .named(.actorAgeHours): return actor?.ageHours.map { .number($0) }
        case .named(.actorUsernameLength): return actor?.username.map { .number(Double($0.count)) }
        case .named(.actorDisplayNameIsUsername):
            guard let actor, let username = actor.username else { return nil }
            let display = actor.displayName?.trimmingCharacters(in: .whitespaces) ?? ""
            return .bool(display.isEmpty || display.lowercased() == username.lowercased())
        case .text(let field): return texts[field].map { .string($0) }
        }
    }
}

/// A subject field a rule reads, resolved from its name once.
enum SubjectFieldKey: Hashable, Sendable {
    /// The fields that are not text fields, by the name rules use.
    enum Named: String, CaseIterable, Sendable {
        case type = "type"
        case objectType = "object.type"
        case actorId = "actor.id"
        case actorHost = "actor.host"
        case visibility = "visibility"
        case language = "language"
        case hashtags = "hashtags"
        case mentions = "mentions"
        case mentionHosts = "mention.hosts"
        case linkHosts = "link.hosts"
        case linkDomains = "link.domains"
        case mediaTypes = "media.types"
        case mediaBlurhashes = "media.blurhashes"
        case linksFromMedia = "links.from_media"
        case attachmentsWithoutAlt = "attachments.without_alt"
        case textOnlyMentions = "text.only_mentions"
        case mentionsCount = "mentions.count"
        case linksCount = "links.count"
        case hashtagsCount = "hashtags.count"
        case attachmentsCount = "attachments.count"
        case pollOptions = "poll.options"
        case textLength = "text.length"
        case isReply = "is.reply"
        case isQuote = "is.quote"
        case isSensitive = "is.sensitive"
        case inReplyTo = "in_reply_to"
        case quote = "quote"
        case actorType = "actor.type"
        case actorHasAvatar = "actor.has_avatar"
        case actorAgeHours = "actor.age_hours"
        case actorUsernameLength = "actor.username.length"
        case actorDisplayNameIsUsername = "actor.display_name_is_username"
    }

    case named(Named)
    case text(TextField)

    init?(_ name: String) {
        if let named = Named(rawValue: name) {
            self = .named(named)
        } else if let field = TextField(rawValue: name) {
            self = .text(field)
        } else {
            return nil
        }
    }
}

/// Every subject field name rules may read, for the linter and the docs.
public enum SubjectFieldCatalog {
    public static let names: Set<String> = Set(SubjectFieldKey.Named.allCases.map(\.rawValue))
        .union(TextField.allCases.map(\.rawValue))
}
