public import ActivityPub

/// The domains no list may block here: our own domain (and every domain above it, whose block would cover us)
/// and the configured excludes (each with its subdomains, as GoToSocial's excludes).
public struct DomainPolicy: Sendable {
    /// Our own domain, normalised; nil when not configured (tests, conversions of files).
    public let ownDomain: String?
    /// Normalised excluded domains.
    public let excludes: [String]
    public let publicSuffixes: PublicSuffixList

    /// Normalises `ownDomain` and `excludes`; throws when one of them is not a domain.
    public init(
        ownDomain: String? = nil, excludes: [String] = [], publicSuffixes: PublicSuffixList = .shared
    ) throws(BlocklistError) {
        self.publicSuffixes = publicSuffixes
        if let ownDomain {
            guard let host = Hostname.normalize(ownDomain) else {
                throw BlocklistError(
                    .invalidDomain, "our own domain `\(ownDomain)` is not a host name; fix the setting")
            }
            self.ownDomain = host
        } else {
            self.ownDomain = nil
        }
        var normalised: [String] = []
        for exclude in excludes {
            do {
                normalised.append(try BlockDomain.normalize(exclude, publicSuffixes: publicSuffixes))
            } catch {
                throw BlocklistError(error.code, "exclude: \(error.message)")
            }
        }
        self.excludes = normalised
    }

    /// No own domain, no excludes.
    public static var unrestricted: DomainPolicy {
        DomainPolicy(normalizedOwnDomain: nil, excludes: [], publicSuffixes: .shared)
    }

    private init(normalizedOwnDomain: String?, excludes: [String], publicSuffixes: PublicSuffixList) {
        self.ownDomain = normalizedOwnDomain
        self.excludes = excludes
        self.publicSuffixes = publicSuffixes
    }

    /// `input` normalised, or why no block may name it here.
    public func validate(_ input: String) throws(BlocklistError) -> String {
        let domain = try BlockDomain.normalize(input, publicSuffixes: publicSuffixes)
        try check(domain)
        return domain
    }

    /// Throws when a block on the normalised `domain` would cover our own domain or falls under an exclude.
    public func check(_ domain: String) throws(BlocklistError) {
        if let ownDomain, BlockDomain.isCovered(ownDomain, by: domain) {
            throw BlocklistError(
                .ownDomain,
                "a block on `\(domain)` would cover our own domain `\(ownDomain)`; it is never blocked")
        }
        if let exclude = excludingDomain(of: domain) {
            throw BlocklistError(
                .excluded, "`\(domain)` falls under the exclude `\(exclude)`; remove the exclude to block it")
        }
    }

    /// The exclude that covers `domain`, if any.
    public func excludingDomain(of domain: String) -> String? {
        excludes.first { BlockDomain.isCovered(domain, by: $0) }
    }
}
