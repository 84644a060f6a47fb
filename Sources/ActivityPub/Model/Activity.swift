public import Foundation

/// An incoming activity, read tolerantly: properties of the wrong shape are ignored, never fatal.
public struct Activity: Sendable {
    /// Types treated as activities when embedded in another activity's `object`.
    public static let activityTypes: Set<String> = [
        "Create", "Update", "Delete", "Follow", "Accept", "Reject", "Add", "Remove", "Like", "Dislike", "EmojiReact",
        "Announce", "Undo", "Block", "Flag", "Move", "Invite", "Join", "Leave", "Offer", "TentativeAccept",
        "TentativeReject", "QuoteRequest",
    ]

    /// The whole payload as parsed.
    public let json: JSONValue
    public let id: String?
    /// The first `type` when several are given.
    public let type: String
    /// The actor URI, from a string or from an embedded actor's `id`.
    public let actorID: String?
    /// The actor document when `actor` was embedded.
    public let embeddedActor: Actor?
    public let object: ObjectReference?
    public let target: String?
    public let to: [String]
    public let cc: [String]
    public let audience: [String]
    public let published: Date?
    /// Content as sent (HTML): a Flag's comment, an EmojiReact's emoji.
    public let content: String?
    public let summary: String?
    /// Misskey's `_misskey_reaction`.
    public let misskeyReaction: String?
    public let tags: [Tag]

    /// Reads an activity; the top level must be a JSON object with a string (or array of strings) `type`.
    public init(json: JSONValue) throws(ActivityPubError) {
        guard case .object(let members) = json else {
            throw ActivityPubError(
                code: .notAnObject, path: "$", message: "an activity must be a JSON object; send one activity per request")
        }
        guard let type = members["type"]?.firstString, !type.isEmpty else {
            throw ActivityPubError(
                code: .missingField, path: "$.type",
                message: "an activity needs a string `type` (or an array starting with one), e.g. \"Create\"")
        }
        self.json = json
        self.type = type
        id = members["id"]?.nonEmptyString
        if let actor = members["actor"] {
            let embedded = actor.list.first { $0.objectValue != nil }.flatMap { try? Actor(json: $0) }
            embeddedActor = embedded
            actorID = actor.reference ?? embedded?.id
        } else {
            embeddedActor = nil
            actorID = nil
        }
        object = members["object"].flatMap(ObjectReference.init(json:))
        target = members["target"]?.reference
        to = members["to"]?.references ?? []
        cc = members["cc"]?.references ?? []
        audience = members["audience"]?.references ?? []
        published = members["published"]?.stringValue.flatMap(Timestamp.parse)
        content = members["content"]?.nonEmptyString
        summary = members["summary"]?.nonEmptyString
        misskeyReaction = members["_misskey_reaction"]?.nonEmptyString
        tags = (members["tag"]?.list ?? []).compactMap(Tag.init(json:))
    }

    /// Parses and reads an activity from UTF-8 bytes.
    public static func decode(_ bytes: [UInt8], limits: JSONLimits = .default) throws(ActivityPubError) -> Activity {
        let json: JSONValue
        do {
            json = try JSONValue.parse(bytes, limits: limits)
        } catch {
            throw ActivityPubError(error)
        }
        return try Activity(json: json)
    }

    /// Parses and reads an activity from a request body.
    public static func decode(_ data: Data, limits: JSONLimits = .default) throws(ActivityPubError) -> Activity {
        let json: JSONValue
        do {
            json = try JSONValue.parse(data, limits: limits)
        } catch {
            throw ActivityPubError(error)
        }
        return try Activity(json: json)
    }
}
