public import ActivityPub
import Foundation

/// Domains as blocks name them: lower case, IDNA ASCII (`xn--`), no trailing dot, so that the Unicode and the
/// punycode spelling of a domain are one entry. A block covers its subdomains; there is no wildcard syntax, so a
/// leading `*.` is read as the domain itself.
public enum BlockDomain {
    /// The normalised form of `input`, or why it is not a domain that can be blocked. Refuses IP addresses,
    /// ports, empty or over-long labels, obfuscated entries, and anything that is itself a public suffix (a block
    /// on `com` or `*.co.uk` would cover every domain under it).
    public static func normalize(
        _ input: String, publicSuffixes: PublicSuffixList = .shared
    ) throws(BlocklistError) -> String {
        var text = Substring(input.trimmingCharacters(in: .whitespaces))
        if text.hasPrefix("*.") { text = text.dropFirst(2) }
        guard !text.isEmpty else {
            throw BlocklistError(.invalidDomain, "the domain is empty; write one host name such as example.org")
        }
        if text.utf8.contains(UInt8(ascii: "*")) {
            throw BlocklistError(
                .obfuscatedDomain,
                "the domain is obfuscated (contains `*`), so it names no domain that can be matched; "
                    + "ask the list's publisher for the full domain or drop the row")
        }
        if text.utf8.contains(where: { $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "/") }) || text.hasPrefix("[") {
            throw BlocklistError(
                .invalidDomain,
                "`\(text)` is not a bare host name (it has a port, a path or brackets); write the domain alone")
        }
        guard let host = Hostname.normalize(String(text)) else {
            throw BlocklistError(
                .invalidDomain,
                "`\(text)` is not a valid domain (characters outside IDNA, or longer than 253 bytes); "
                    + "write a host name such as example.org or its Unicode form")
        }
        if host.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ".") }) {
            throw BlocklistError(
                .invalidDomain, "`\(host)` is an IP address; domain blocks name domains, block the host name instead")
        }
        for label in host.split(separator: ".", omittingEmptySubsequences: false) {
            guard !label.isEmpty, label.utf8.count <= 63, label.first != "-", label.last != "-" else {
                throw BlocklistError(
                    .invalidDomain,
                    "`\(host)` has an empty label, a label over 63 bytes, or one that starts or ends with `-`; "
                        + "correct the domain")
            }
        }
        guard publicSuffixes.registrableDomain(of: host) != nil else {
            throw BlocklistError(
                .publicSuffix,
                "`\(host)` is a public suffix (or a single label), so a block on it would cover every domain under it; "
                    + "block the registered domains instead")
        }
        return host
    }

    /// Whether `host` is `domain` or one of its subdomains (both normalised).
    public static func isCovered(_ host: String, by domain: String) -> Bool {
        guard host.utf8.count >= domain.utf8.count, host.hasSuffix(domain) else { return false }
        let extra = host.utf8.count - domain.utf8.count
        return extra == 0 || host.utf8[host.utf8.index(host.utf8.startIndex, offsetBy: extra - 1)] == UInt8(ascii: ".")
    }
}
