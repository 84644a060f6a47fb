/// A link in a post that is neither a mention nor a hashtag.
public struct LinkRef: Sendable, Equatable, Hashable {
    public let url: String
    /// Normalised host (lowercase, IDNA ASCII, no port).
    public let host: String
    /// The host's registrable domain per the Public Suffix List; nil for IP addresses and bare suffixes.
    public let registrableDomain: String?

    public init(url: String, host: String, registrableDomain: String?) {
        self.url = url
        self.host = host
        self.registrableDomain = registrableDomain
    }
}
