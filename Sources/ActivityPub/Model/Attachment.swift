/// An entry of an object's `attachment` list (media, a link, or an actor's `PropertyValue` field).
public struct Attachment: Sendable, Equatable {
    public let type: String
    public let mediaType: String?
    public let url: String?
    /// Alt text for media; the label for a `PropertyValue`.
    public let name: String?
    /// The HTML value of a `PropertyValue`.
    public let value: String?

    public init(type: String, mediaType: String? = nil, url: String? = nil, name: String? = nil, value: String? = nil) {
        self.type = type
        self.mediaType = mediaType
        self.url = url
        self.name = name
        self.value = value
    }

    /// Reads one attachment; a bare string is taken as a URL. Nil for anything else.
    public init?(json: JSONValue) {
        switch json {
        case .string(let url):
            self.init(type: "Link", url: url)
        case .object(let members):
            self.init(
                type: members["type"]?.firstString ?? "",
                mediaType: members["mediaType"]?.nonEmptyString,
                url: members["url"]?.reference ?? members["href"]?.reference,
                name: members["name"]?.nonEmptyString,
                value: members["value"]?.nonEmptyString)
        default:
            return nil
        }
    }

    /// `Link` attachments (Lemmy link posts) are links, not media.
    public var isMedia: Bool { type != "Link" && type != "PropertyValue" }
}
