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
        case .type: return .string(activityType)
        case .objectType: return objectType.map { .string($0) }
        case .actorId: return actorID.map { .string($0) }
        case .actorHost: return actorHost.map { .string($0) }
        case .visibility: return .string(visibility.rawValue)
        case .language: return .list(languages)
        case .hashtags: return .list(hashtags)
        case .mentions: return .list(mentions.map(\.href))
        case .mentionHosts: return .list(mentionHosts)
        case .linkHosts: return .list(linkHosts)
        case .linkDomains: return .list(linkDomains)
        case .mediaTypes: return .list(mediaTypes)
        case .mentionsCount: return .number(Double(mentions.count))
        case .linksCount: return .number(Double(links.count))
        case .hashtagsCount: return .number(Double(hashtags.count))
        case .attachmentsCount: return .number(Double(attachmentCount))
        case .pollOptions: return .number(Double(pollOptions.count))
        case .textLength: return .number(Double(textLength))
        case .isReply: return .bool(isReply)
        case .isQuote: return .bool(isQuote)
        case .isSensitive: return .bool(sensitive)
        case .inReplyTo: return inReplyTo.map { .string($0) }
        case .quote: return quoteTarget.map { .string($0) }
        case .actorType: return actor.map { .string($0.type) }
        case .actorHasAvatar: return actor.map { .bool($0.hasAvatar) }
        case .actorAgeHours: return actor?.ageHours.map { .number($0) }
        case .actorUsernameLength: return actor?.username.map { .number(Double($0.count)) }
        case .actorDisplayNameIsUsername:
            guard let actor, let username = actor.username else { return nil }
            let display = actor.displayName?.trimmingCharacters(in: .whitespaces) ?? ""
            return .bool(display.isEmpty || display.lowercased() == username.lowercased())
        case .text(let field): return texts[field].map { .string($0) }
        }
    }
}

/// A subject field a rule reads, resolved from its name once.
enum SubjectFieldKey: Hashable, Sendable {
    case type
    case objectType
    case actorId
    case actorHost
    case visibility
    case language
    case hashtags
    case mentions
    case mentionHosts
    case linkHosts
    case linkDomains
    case mediaTypes
    case mentionsCount
    case linksCount
    case hashtagsCount
    case attachmentsCount
    case pollOptions
    case textLength
    case isReply
    case isQuote
    case isSensitive
    case inReplyTo
    case quote
    case actorType
    case actorHasAvatar
    case actorAgeHours
    case actorUsernameLength
    case actorDisplayNameIsUsername
    case text(TextField)

    init?(_ name: String) {
        switch name {
        case "type": self = .type
        case "object.type": self = .objectType
        case "actor.id": self = .actorId
        case "actor.host": self = .actorHost
        case "visibility": self = .visibility
        case "language": self = .language
        case "hashtags": self = .hashtags
        case "mentions": self = .mentions
        case "mention.hosts": self = .mentionHosts
        case "link.hosts": self = .linkHosts
        case "link.domains": self = .linkDomains
        case "media.types": self = .mediaTypes
        case "mentions.count": self = .mentionsCount
        case "links.count": self = .linksCount
        case "hashtags.count": self = .hashtagsCount
        case "attachments.count": self = .attachmentsCount
        case "poll.options": self = .pollOptions
        case "text.length": self = .textLength
        case "is.reply": self = .isReply
        case "is.quote": self = .isQuote
        case "is.sensitive": self = .isSensitive
        case "in_reply_to": self = .inReplyTo
        case "quote": self = .quote
        case "actor.type": self = .actorType
        case "actor.has_avatar": self = .actorHasAvatar
        case "actor.age_hours": self = .actorAgeHours
        case "actor.username.length": self = .actorUsernameLength
        case "actor.display_name_is_username": self = .actorDisplayNameIsUsername
        default:
            guard let field = TextField(rawValue: name) else { return nil }
            self = .text(field)
        }
    }
}

/// Every subject field name rules may read, for the linter and the docs.
public enum SubjectFieldCatalog {
    public static let names: Set<String> = Set<String>([
        "type", "object.type", "actor.id", "actor.host", "visibility", "language", "hashtags", "mentions",
        "mention.hosts", "link.hosts", "link.domains", "media.types", "mentions.count", "links.count",
        "hashtags.count", "attachments.count", "poll.options", "text.length", "is.reply", "is.quote",
        "is.sensitive", "in_reply_to", "quote", "actor.type", "actor.has_avatar", "actor.age_hours",
        "actor.username.length", "actor.display_name_is_username",
    ]).union(TextField.allCases.map(\.rawValue))
}
