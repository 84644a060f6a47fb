/// A `Mention` tag.
public struct MentionRef: Sendable, Equatable, Hashable {
    /// The mentioned actor's URI.
    public let href: String
    /// Normalised host of `href`; nil when `href` is not a valid id (`Hostname.host(ofID:)`).
    public let host: String?
    /// The handle as written, e.g. `@alice@social.example`.
    public let name: String?

    public init(href: String, host: String?, name: String?) {
        self.href = href
        self.host = host
        self.name = name
    }
}
