/// An entry of an object's `tag` list: `Mention`, `Hashtag`, `Emoji`, or a FEP-e232 `Link`.
public struct Tag: Sendable, Equatable {
    public let type: String
    public let name: String?
    public let href: String?
    public let mediaType: String?

    public init(type: String, name: String? = nil, href: String? = nil, mediaType: String? = nil) {
        self.type = type
        self.name = name
        self.href = href
        self.mediaType = mediaType
    }

    /// Reads one tag object; nil for anything that is not an object.
    public init?(json: JSONValue) {
        guard case .object(let members) = json else { return nil }
        type = members["type"]?.firstString ?? ""
        name = members["name"]?.nonEmptyString
        href = members["href"]?.reference ?? members["id"]?.nonEmptyString
        mediaType = members["mediaType"]?.nonEmptyString
    }

    /// A FEP-e232 object link whose media type marks it as an ActivityStreams object (a quote).
    public var isObjectLink: Bool {
        guard type == "Link", let mediaType else { return false }
        let compact = mediaType.lowercased().filter { $0 != " " }
        return compact.hasPrefix("application/activity+json")
            || (compact.hasPrefix("application/ld+json")
                && compact.contains("profile=\"https://www.w3.org/ns/activitystreams\""))
    }
}
