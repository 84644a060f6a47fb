public import ActivityPub
import Foundation

extension Subject {
    /// The value of a named field as rules read it (see `SubjectFieldCatalog`), or nil when it has none.
    public func fieldValue(_ name: String) -> FieldValue? {
        switch name {
        case "type": return .string(activityType)
        case "object.type": return objectType.map { .string($0) }
        case "actor.id": return actorID.map { .string($0) }
        case "actor.host": return actorHost.map { .string($0) }
        case "visibility": return .string(visibility.rawValue)
        case "language": return .list(languages)
        case "hashtags": return .list(hashtags)
        case "mentions": return .list(mentions.map(\.href))
        case "mention.hosts": return .list(mentionHosts)
        case "link.hosts": return .list(linkHosts)
        case "link.domains": return .list(linkDomains)
        case "media.types": return .list(mediaTypes)
        case "mentions.count": return .number(Double(mentions.count))
        case "links.count": return .number(Double(links.count))
        case "hashtags.count": return .number(Double(hashtags.count))
        case "attachments.count": return .number(Double(attachmentCount))
        case "poll.options": return .number(Double(pollOptions.count))
        case "text.length": return .number(Double(textLength))
        case "is.reply": return .bool(isReply)
        case "is.quote": return .bool(isQuote)
        case "is.sensitive": return .bool(sensitive)
        case "in_reply_to": return inReplyTo.map { .string($0) }
        case "quote": return quoteTarget.map { .string($0) }
        case "actor.type": return actor.map { .string($0.type) }
        case "actor.has_avatar": return actor.map { .bool($0.hasAvatar) }
        case "actor.age_hours": return actor?.ageHours.map { .number($0) }
        case "actor.username.length": return actor?.username.map { .number(Double($0.count)) }
        case "actor.display_name_is_username":
            guard let actor, let username = actor.username else { return nil }
            let display = actor.displayName?.trimmingCharacters(in: .whitespaces) ?? ""
            return .bool(display.isEmpty || display.lowercased() == username.lowercased())
        default:
            if let field = TextField(rawValue: name) { return texts[field].map { .string($0) } }
            return nil
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
