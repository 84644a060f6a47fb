import Testing

@testable import Blocklists

/// Expected values computed with Mastodon's `public_domain` and `domain_digest` algorithm (python3: integer
/// division of the length by 4, `hashlib.sha256(domain).hexdigest()`), not with our code.
@Suite struct MastodonObfuscationTests {
    @Test(arguments: [
        ("example.org", "exa****.*rg"),
        ("poa.st", "po*.*t"),
        ("a.b", "a.*"),
        ("abc.de", "ab*.*e"),
        ("mastodon.social", "mast****.***ial"),
        ("spam.example.net", "spam.*******.net"),
        ("xn--bcher-kva.example", "xn--bc*******.**ample"),
    ])
    func obfuscationMatchesMastodon(domain: String, expected: String) {
        #expect(BlockDomain.obfuscated(domain) == expected)
        #expect(DomainBlock(domain: domain, obfuscate: true).publicDomain == expected)
        #expect(DomainBlock(domain: domain, obfuscate: false).publicDomain == domain)
    }

    @Test(arguments: [
        ("example.org", "bfabc37432958b063360d3ad6461c9c4735ae7f8edd46592a5e0f01452b2e4b5"),
        ("poa.st", "24f316abb4ecb518311996750acba82970a678e00927266e09e51705267836c2"),
        ("xn--bcher-kva.example", "970ca6b73eaf2630a6b8d6aa59f106433bbe80b15e3f9d427af4363e5bce4436"),
    ])
    func digestIsSHA256OfTheFullDomain(domain: String, expected: String) {
        #expect(DomainBlock(domain: domain, obfuscate: true).digest == expected)
    }
}
