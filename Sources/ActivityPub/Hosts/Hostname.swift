import CIDN2
import Foundation

/// Host names in one comparable form: lowercase, IDNA ASCII (`xn--`), no port, no trailing dot.
public enum Hostname {
    /// Longest host name, in bytes of its IDNA ASCII form (RFC 1035).
    static let maxLength = 253
    /// Longest host accepted as input, in UTF-8 bytes: four bytes for each of the 253 characters a host may
    /// have, twice over for decomposed input. Checked before any IDNA work, which a longer host could only turn
    /// into an invalid one.
    static let maxInputBytes = 8 * maxLength

    /// Normalises a host (optionally with a port or IPv6 brackets). Returns nil when it is not a plausible host.
    ///
    /// IPv4 addresses in any form the WHATWG URL Standard reads (`0x7f.1`, `2130706433`) come out in dotted
    /// decimal, IPv6 addresses in brackets in their shortest form.
    public static func normalize(_ host: String) -> String? {
        var host = host
        return host.withUTF8 { bytes -> String? in
            var end = bytes.count
            if bytes.first == UInt8(ascii: "[") {
                guard let close = bytes.firstIndex(of: UInt8(ascii: "]")), close > 1,
                    close + 1 == bytes.count || isPort(bytes[(close + 1)...])
                else { return nil }
                return IPAddress.ipv6(UnsafeBufferPointer(rebasing: bytes[1..<close]))
            }
            if let colon = bytes.lastIndex(of: UInt8(ascii: ":")) {
                guard isPort(bytes[colon...]) else { return nil }
                end = colon
            }
            return domain(UnsafeBufferPointer(rebasing: bytes[..<end]))
        }
    }

    /// The normalised host of an `http` or `https` URL, read as browsers read it (see `URLAuthority`): the host
    /// of a link, a mention or any URL that is not an id. Nil when `url` is not such a URL.
    public static func host(ofURL url: String) -> String? {
        URLAuthority(parsing: url)?.host
    }

    /// The normalised host of an id: of an actor, a key (`keyId`), an object or an activity. Nil when `id` is not
    /// a valid id: an `http` or `https` URL with a host, without userinfo (`user@`), written plainly (see
    /// `URLAuthority.isPlainlyWritten`).
    ///
    /// Every check that compares the hosts of ids (signer and actor, key and owner) goes through this, so that
    /// no two parts of the firewall can read different hosts from one id.
    public static func host(ofID id: String) -> String? {
        guard let authority = URLAuthority(parsing: id), !authority.hasUserinfo, authority.isPlainlyWritten else {
            return nil
        }
        return authority.host
    }

    /// Whether `id` is a valid actor, key, object or activity id: see `host(ofID:)`.
    public static func isValidID(_ id: String) -> Bool {
        host(ofID: id) != nil
    }

    /// The comparable form of a domain (a host that is not in brackets, without a port): lowercase, IDNA
    /// ASCII, no trailing dot, or an IPv4 address in dotted decimal. Nil when it is neither.
    static func domain(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        let ascii: String
        if isAlreadyNormal(bytes) {
            ascii = String(decoding: bytes, as: UTF8.self)
        } else if bytes.allSatisfy({ $0 < 0x80 }) {
            guard bytes.count <= maxInputBytes, let normal = normalizeASCII(Array(bytes)) else { return nil }
            ascii = normal
        } else {
            guard let normal = idnaASCII(bytes) else { return nil }
            ascii = normal
        }
        var result = ascii
        return result.withUTF8 { normal in
            guard IPAddress.endsInNumber(normal) else { return ascii }
            return IPAddress.ipv4(normal)
        }
    }

    /// IDNA ASCII form of a host with non-ASCII characters, by libidn2: UTS 46 mapping without transitional
    /// processing, as browsers do (case folded, compatibility forms and other dots mapped, ignorable code points
    /// such as U+00AD soft hyphen removed), then the IDNA 2008 checks. The length is checked before.
    ///
    /// IDNA 2008 refuses symbols and emoji that UTS 46 alone would allow (`💩.la`); such hosts are not hosts here.
    private static func idnaASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard bytes.count <= maxInputBytes, !bytes.contains(0) else { return nil }
        var input = Array(bytes)
        input.append(0)
        var output: UnsafeMutablePointer<CChar>?
        let status = input.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { idn2_to_ascii_8z($0.baseAddress, &output, idnaFlags) }
        }
        defer { idn2_free(output) }
        guard status == Int32(IDN2_OK.rawValue), let output else { return nil }
        return normalizeASCII(Array(UnsafeRawBufferPointer(start: output, count: strlen(output))))
    }

    private static let idnaFlags = Int32(IDN2_NONTRANSITIONAL.rawValue | IDN2_NFC_INPUT.rawValue)

    /// Converts `xn--` labels back to Unicode for display; a label libidn2 cannot decode stays as it is.
    public static func unicode(_ host: String) -> String {
        host.split(separator: ".", omittingEmptySubsequences: false).map { label in
            guard label.hasPrefix("xn--"), label.utf8.count <= 63 else { return String(label) }
            var output: UnsafeMutablePointer<CChar>?
            let status = String(label).withCString { idn2_to_unicode_8z8z($0, &output, 0) }
            defer { idn2_free(output) }
            guard status == Int32(IDN2_OK.rawValue), let output else { return String(label) }
            return String(cString: output)
        }.joined(separator: ".")
    }

    /// The common case: lowercase ASCII letters, digits, `-`, `_` and inner dots.
    private static func isAlreadyNormal(_ host: String) -> Bool {
        isAlreadyNormal(host.utf8)
    }

    private static func isAlreadyNormal(_ utf8: some BidirectionalCollection<UInt8>) -> Bool {
        guard let first = utf8.first, let last = utf8.last, first != UInt8(ascii: "."), last != UInt8(ascii: "."),
            utf8.count <= maxLength
        else { return false }
        return utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= 0x30 && byte <= 0x39)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
    }

    private static func normalizeASCII(_ input: [UInt8]) -> String? {
        var bytes = input
        while bytes.last == UInt8(ascii: ".") { bytes.removeLast() }
        guard !bytes.isEmpty, bytes.count <= maxLength, bytes.first != UInt8(ascii: ".") else { return nil }
        for position in bytes.indices {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): bytes[position] = byte + 32
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"),
                UInt8(ascii: "_"), UInt8(ascii: "."):
                break
            default: return nil
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `:` followed by digits only (or none).
    private static func isPort(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        bytes.first == UInt8(ascii: ":") && bytes.dropFirst().allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }
}
