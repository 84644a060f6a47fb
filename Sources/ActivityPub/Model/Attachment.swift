/// An entry of an object's `attachment` list (media, a link, or an actor's `PropertyValue` field).
public struct Attachment: Sendable, Equatable {
    public let type: String
    public let mediaType: String?
    public let url: String?
    /// Alt text for media; the label for a `PropertyValue`.
    public let name: String?
    /// The HTML value of a `PropertyValue`.
    public let value: String?
    /// Alt text some servers send as `summary` instead of `name`.
    public let summary: String?
    /// The media's `blurhash` (Mastodon, Misskey, Pixelfed), as sent.
    public let blurhash: String?
    /// The file's digest when the sender states one (`digestMultibase`, or `digest`), as sent.
    public let digest: String?

    public init(
        type: String, mediaType: String? = nil, url: String? = nil, name: String? = nil, value: String? = nil,
        summary: String? = nil, blurhash: String? = nil, digest: String? = nil
    ) {
        self.type = type
        self.mediaType = mediaType
        self.url = url
        self.name = name
        self.value = value
        self.summary = summary
        self.blurhash = blurhash
        self.digest = digest
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
                value: members["value"]?.nonEmptyString,
                summary: members["summary"]?.nonEmptyString,
                blurhash: members["blurhash"]?.nonEmptyString,
                digest: members["digestMultibase"]?.nonEmptyString ?? members["digest"]?.nonEmptyString)
        default:
            return nil
        }
    }

    /// `Link` attachments (Lemmy link posts) are links, not media.
    public var isMedia: Bool { type != "Link" && type != "PropertyValue" }

    /// An image or a video: by its media type, or by its type when it states none. Audio and other files are not.
    public var isVisual: Bool {
        guard isMedia else { return false }
        if let mediaType = mediaType?.lowercased() {
            return mediaType.hasPrefix("image/") || mediaType.hasPrefix("video/")
        }
        return type == "Image" || type == "Video"
    }

    /// Whether the media carries alt text (`name` or `summary` with more than whitespace).
    public var hasAltText: Bool {
        [name, summary].contains { $0.map { !$0.allSatisfy(\.isWhitespace) } ?? false }
    }
}
