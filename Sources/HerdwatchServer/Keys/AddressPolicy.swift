/// Refuses fetches to addresses that are not on the public internet: a signature's `keyId` is chosen by the
/// sender, and must not make Herdwatch request loopback, private, link-local or otherwise special services.
///
/// The host is resolved once; every address must be public, and the fetch connects to the first of them
/// (see `HTTPKeyFetcher`), so a name that answers differently on a second lookup changes nothing.
enum AddressPolicy {
    /// The address to connect to for `host` (a name or an IP literal, brackets allowed). Fails closed: a name
    /// that does not resolve is refused, as is one with any non-public address unless `allowPrivate`.
    static func address(
        for host: String, resolver: any KeyHostResolver, allowPrivate: Bool
    ) async throws(KeyFetchError) -> IPAddress {
        let name = host.lowercased()
        if !allowPrivate, name == "localhost" || name.hasSuffix(".localhost") {
            throw refusal("the key's host is localhost")
        }
        var addresses: [IPAddress]
        if let literal = IPAddress(name) {
            addresses = [literal]
        } else {
            do {
                addresses = try await resolver.addresses(of: name)
            } catch {
                addresses = []
            }
        }
        guard let first = addresses.first else {
            throw KeyFetchError(.unreachable, "the key's host name does not resolve; the sender's server may be gone")
        }
        if !allowPrivate, !addresses.allSatisfy(isPublic) {
            throw refusal("the key's host resolves to a non-public address")
        }
        return first
    }

    private static func refusal(_ reason: String) -> KeyFetchError {
        KeyFetchError(.forbiddenAddress, "\(reason); set keys.allowPrivateAddresses only on closed networks")
    }

    static func isPublic(_ address: IPAddress) -> Bool {
        address.isIPv4 ? isPublicIPv4(address.bytes) : isPublicIPv6(address.bytes)
    }

    /// False for every IANA special-purpose IPv4 block (RFC 6890 and successors).
    static func isPublicIPv4(_ b: [UInt8]) -> Bool {
        guard b.count == 4 else { return false }
        switch (b[0], b[1], b[2]) {
        case (0, _, _), (10, _, _), (127, _, _): return false  // "this network", private, loopback
        case (100, 64...127, _): return false  // carrier-grade NAT
        case (169, 254, _): return false  // link-local
        case (172, 16...31, _): return false  // private
        case (192, 0, 0): return false  // IETF protocol assignments
        case (192, 0, 2), (198, 51, 100), (203, 0, 113): return false  // documentation
        case (192, 88, 99): return false  // 6to4 relay anycast (deprecated)
        case (192, 168, _): return false  // private
        case (198, 18...19, _): return false  // benchmarking
        case (224...255, _, _): return false  // multicast, reserved 240/4, broadcast
        default: return true
        }
    }

    /// True only inside global unicast 2000::/3, less its special blocks; IPv4 carried inside an IPv6 address
    /// (mapped, NAT64, 6to4) is judged as IPv4. Everything else (::/96 IPv4-compatible, ::1, unique and
    /// site-local, link-local, multicast, 64:ff9b:1::/48, 100::/64) is refused.
    static func isPublicIPv6(_ b: [UInt8]) -> Bool {
        guard b.count == 16 else { return false }
        if b[0..<10].allSatisfy({ $0 == 0 }), b[10] == 0xFF, b[11] == 0xFF {  // ::ffff:a.b.c.d
            return isPublicIPv4(Array(b[12..<16]))
        }
        if b[0..<12].elementsEqual([0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0]) {  // NAT64 64:ff9b::/96
            return isPublicIPv4(Array(b[12..<16]))
        }
        if b[0] == 0x20, b[1] == 0x02 {  // 6to4 2002:a.b.c.d::/48
            return isPublicIPv4(Array(b[2..<6]))
        }
        guard b[0] & 0xE0 == 0x20 else { return false }  // outside 2000::/3
        if b[0] == 0x20, b[1] == 0x01, b[2] & 0xFE == 0 { return false }  // 2001::/23: Teredo, benchmarking, ORCHID
        if b[0] == 0x20, b[1] == 0x01, b[2] == 0x0D, b[3] == 0xB8 { return false }  // documentation 2001:db8::/32
        if b[0] == 0x3F, b[1] == 0xFF, b[2] & 0xF0 == 0 { return false }  // documentation 3fff::/20
        return true
    }
}
