public import Foundation

/// An embedded object (`Note`, `Article`, `Page`, `Question`, `Tombstone`, …), read tolerantly.
public struct ActivityObject: Sendable {
    public let json: JSONValue
    public let id: String?
    /// Empty when the object has no type.
    public let type: String
    public let attributedTo: String?
    /// Content as sent (HTML).
    public let content: String?
    /// Language tag → HTML content.
    public let contentMap: [String: String]
    /// Misskey's MFM source (`_misskey_content`), plain text.
    public let misskeyContent: String?
    /// `source.content` (Markdown on Lemmy, plain text on Pleroma).
    public let source: String?
    public let summary: String?
    public let name: String?
    public let to: [String]
    public let cc: [String]
    public let audience: [String]
    public let tags: [Tag]
    public let attachments: [Attachment]
    public let inReplyTo: String?
    /// The quoted object from `quote`, `quoteUri`, `quoteUrl`, `quoteURL`, `_misskey_quote` or a FEP-e232 link tag.
    public let quoteTarget: String?
    public let published: Date?
    public let sensitive: Bool
    /// Languages from `contentMap` keys and `language` (a string or Lemmy's `{identifier}` objects).
    public let languages: [String]
    /// `Question` choices from `oneOf` / `anyOf`.
    public let pollOptions: [String]
    public let url: String?

    /// Reads an object; nil when `json` is not a JSON object.
    public init?(json: JSONValue) {
        guard case .object(let members) = json else { return nil }
        self.json = json
        id = members["id"]?.nonEmptyString
        type = members["type"]?.firstString ?? ""
        attributedTo = members["attributedTo"]?.reference
        content = members["content"]?.nonEmptyString
        var contentMap: [String: String] = [:]
        if case .object(let map)? = members["contentMap"] {
            for (language, value) in map {
                if let text = value.nonEmptyString { contentMap[language] = text }
            }
        }
        self.contentMap = contentMap
        misskeyContent = members["_misskey_content"]?.nonEmptyString
        source = members["source"]?.nonEmptyString ?? members["source"]?["content"]?.nonEmptyString
        summary = members["summary"]?.nonEmptyString
        name = members["name"]?.nonEmptyString
        to = members["to"]?.references ?? []
        cc = members["cc"]?.references ?? []
        audience = members["audience"]?.references ?? []
        let tags = (members["tag"]?.list ?? []).compactMap(Tag.init(json:))
        self.tags = tags
        attachments = (members["attachment"]?.list ?? []).compactMap(Attachment.init(json:))
        inReplyTo = members["inReplyTo"]?.reference
        quoteTarget =
            members["quote"]?.reference ?? members["quoteUri"]?.reference ?? members["quoteUrl"]?.reference
            ?? members["quoteURL"]?.reference ?? members["_misskey_quote"]?.reference
            ?? tags.first(where: \.isObjectLink)?.href
        published = members["published"]?.stringValue.flatMap(Timestamp.parse)
        sensitive = members["sensitive"]?.looseBool ?? false
        var languages = Set(contentMap.keys)
        for language in members["language"]?.list ?? [] {
            if let code = language.nonEmptyString ?? language["identifier"]?.nonEmptyString { languages.insert(code) }
        }
        self.languages = languages.isEmpty ? [] : languages.sorted()
        var pollOptions: [String] = []
        if let oneOf = members["oneOf"] { pollOptions += oneOf.list.compactMap { $0["name"]?.nonEmptyString } }
        if let anyOf = members["anyOf"] { pollOptions += anyOf.list.compactMap { $0["name"]?.nonEmptyString } }
        self.pollOptions = pollOptions
        url = members["url"]?.reference
    }
}
