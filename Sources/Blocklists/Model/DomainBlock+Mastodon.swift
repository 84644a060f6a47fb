import Crypto
import Foundation

extension DomainBlock {
    /// The domain as Mastodon publishes it: obfuscated when `obfuscate` is set (Mastodon's `public_domain`).
    public var publicDomain: String {
        obfuscate ? BlockDomain.obfuscated(domain) : domain
    }

    /// Mastodon's `domain_digest`: SHA-256 of the full domain, in lower-case hex, so that a reader of an
    /// obfuscated list can still match a candidate domain against the entry.
    public var digest: String {
        BlockDomain.digest(domain)
    }
}

extension BlockDomain {
    /// Mastodon's `public_domain`: with `r` a quarter of the length (rounded down), every character at an index
    /// strictly between `r` and `length - r`, except dots, becomes `*`. Counted in Unicode scalars, as Ruby counts
    /// a string's characters.
    public static func obfuscated(_ domain: String) -> String {
        let scalars = Array(domain.unicodeScalars)
        let visible = scalars.count / 4
        var result = String.UnicodeScalarView()
        for (index, scalar) in scalars.enumerated() {
            let hidden = index > visible && index < scalars.count - visible && scalar != "."
            result.append(hidden ? "*" : scalar)
        }
        return String(result)
    }

    /// SHA-256 of the domain's UTF-8 bytes, lower-case hex (Ruby's `Digest::SHA256.hexdigest`).
    public static func digest(_ domain: String) -> String {
        SHA256.hash(data: Array(domain.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
