/// A link in a post that is neither a mention nor a hashtag.
public struct LinkRef: Sendable, Equatable, Hashable {
    public let url: String
    /// Normalised host (lowercase, IDNA ASCII, no port).
    public let host: String
    /// The host's registrable domain per the Public Suffix List; nil for IP addresses and bare suffixes.
    public let registrableDomain: String?
    /// Read from the post's media (a QR code in an image) rather than written in the post.
    public let fromMedia: Bool

    public init(url: String, host: String, registrableDomain: String?, fromMedia: Bool = false) {
        self.url = url
        self.host = host
        self.registrableDomain = registrableDomain
        self.fromMedia = fromMedia
    }
}
