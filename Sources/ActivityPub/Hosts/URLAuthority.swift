/// The scheme and authority of an `http` or `https` URL, read as the WHATWG URL Standard reads special URLs:
/// the way browsers, and the servers and clients that follow them, decide which host a URL names.
///
/// Leading and trailing C0 controls and spaces are trimmed and tabs and newlines dropped; the scheme is
/// case-insensitive; any run of `/` and `\` after it is skipped; the authority ends at the first `/`, `\`, `?`
/// or `#`; the userinfo ends at the last `@` before that; the host is percent-decoded, then IDNA-encoded,
/// and IPv4 numbers in any form (`0x7f.1`, `2130706433`) become dotted decimal. So
/// `http://trusted.example\@attacker/` names `trusted.example`, with the path `/@attacker/`.
///
/// Ids (of actors, keys, objects) must also be written so that every parser reads the same host from them:
/// see `isPlainlyWritten` and `Hostname.host(ofID:)`.
public struct URLAuthority: Sendable, Equatable {
    /// `http` or `https`.
    public let scheme: String
    /// The host in `Hostname.normalize`'s form: lowercase, IDNA ASCII, no trailing dot; IPv4 addresses in dotted
    /// decimal, IPv6 addresses in brackets in their shortest form.
    public let host: String
    /// The port, when the URL gives one other than the scheme's default.
    public let port: Int?
    /// Whether the authority has a userinfo part (`user:password@`), even an empty one.
    public let hasUserinfo: Bool
    /// Whether the URL is written the one way every URL parser reads alike: exactly `//` after the scheme; no
    /// space, control character or backslash anywhere; no percent-encoding in the host; an IPv4 host in dotted
    /// decimal. Parsers disagree on the rest (Foundation's `URL` reads `\` as part of the userinfo, WHATWG as a
    /// path separator), so ids that are not plainly written are refused.
    public let isPlainlyWritten: Bool

    /// Parses `url`; nil when it is not an `http` or `https` URL with a valid host and port.
    public init?(parsing url: String) {
        var url = url
        guard let parsed = url.withUTF8({ Self.parse($0) }) else { return nil }
        self = parsed
    }

    private init(scheme: String, host: String, port: Int?, hasUserinfo: Bool, isPlainlyWritten: Bool) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.hasUserinfo = hasUserinfo
        self.isPlainlyWritten = isPlainlyWritten
    }

    private static func parse(_ raw: UnsafeBufferPointer<UInt8>) -> URLAuthority? {
        var start = 0
        var end = raw.count
        while start < end, raw[start] <= 0x20 { start += 1 }
        while end > start, raw[end - 1] <= 0x20 { end -= 1 }
        var plain = start == 0 && end == raw.count
        let trimmed = UnsafeBufferPointer(rebasing: raw[start..<end])
        guard trimmed.contains(where: isTabOrNewline) else { return parse(trimmed, plain: plain) }
        plain = false
        let stripped = trimmed.filter { !isTabOrNewline($0) }
        return stripped.withUnsafeBufferPointer { parse($0, plain: plain) }
    }

    private static func parse(_ input: UnsafeBufferPointer<UInt8>, plain: Bool) -> URLAuthority? {
        var plain = plain
        // Scheme: http or https, in any case.
        var index = 0
        while index < input.count, input[index] != UInt8(ascii: ":") {
            guard index < 5, isLetter(input[index]) else { return nil }
            index += 1
        }
        guard index >= 4, index < input.count else { return nil }
        let scheme: String
        switch (index, input[0] | 0x20, input[1] | 0x20, input[2] | 0x20, input[3] | 0x20) {
        case (4, 0x68, 0x74, 0x74, 0x70): scheme = "http"
        case (5, 0x68, 0x74, 0x74, 0x70) where input[4] | 0x20 == UInt8(ascii: "s"): scheme = "https"
        default: return nil
        }
        index += 1

        // Any run of slashes and backslashes; ids have exactly `//`.
        let slashesStart = index
        while index < input.count, input[index] == UInt8(ascii: "/") || input[index] == UInt8(ascii: "\\") {
            if input[index] == UInt8(ascii: "\\") { plain = false }
            index += 1
        }
        if index - slashesStart != 2 { plain = false }

        // The authority, and the userinfo up to its last `@`.
        let authorityStart = index
        var hostStart = index
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: "/") || byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "?")
                || byte == UInt8(ascii: "#")
            {
                break
            }
            if byte == UInt8(ascii: "@") { hostStart = index + 1 }
            index += 1
        }
        let authorityEnd = index
        let hasUserinfo = hostStart != authorityStart
        if plain {
            plain = !input.contains { $0 <= 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "\\") }
        }

        // Host and port: the port follows the first `:` outside brackets.
        var hostEnd = hostStart
        var insideBrackets = false
        while hostEnd < authorityEnd {
            let byte = input[hostEnd]
            if byte == UInt8(ascii: "[") { insideBrackets = true }
            if byte == UInt8(ascii: "]") { insideBrackets = false }
            if byte == UInt8(ascii: ":"), !insideBrackets { break }
            hostEnd += 1
        }
        guard hostEnd > hostStart else { return nil }
        var port: Int?
        if hostEnd < authorityEnd {
            var value = 0
            for byte in input[(hostEnd + 1)..<authorityEnd] {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
                guard value <= 65535 else { return nil }
            }
            if hostEnd + 1 < authorityEnd { port = value }
        }
        if port == (scheme == "http" ? 80 : 443) { port = nil }

        let rawHost = UnsafeBufferPointer(rebasing: input[hostStart..<hostEnd])
        let host: String
        if rawHost[0] == UInt8(ascii: "[") {
            guard rawHost.count > 2, rawHost[rawHost.count - 1] == UInt8(ascii: "]"),
                let address = IPAddress.ipv6(UnsafeBufferPointer(rebasing: rawHost[1..<(rawHost.count - 1)]))
            else { return nil }
            host = address
        } else if rawHost.contains(UInt8(ascii: "%")) {
            plain = false
            let decoded = percentDecoded(rawHost)
            guard let domain = decoded.withUnsafeBufferPointer({ Hostname.domain($0) }) else { return nil }
            host = domain
        } else {
            guard let domain = Hostname.domain(rawHost) else { return nil }
            host = domain
            if plain, IPAddress.isDottedDecimal(host), !rawHost.elementsEqual(host.utf8) { plain = false }
        }
        return URLAuthority(
            scheme: scheme, host: host, port: port, hasUserinfo: hasUserinfo, isPlainlyWritten: plain)
    }

    private static func percentDecoded(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count, let high = hexValue(bytes[index + 1]),
                let low = hexValue(bytes[index + 2])
            {
                decoded.append(high << 4 | low)
                index += 3
            } else {
                decoded.append(bytes[index])
                index += 1
            }
        }
        return decoded
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func isTabOrNewline(_ byte: UInt8) -> Bool { byte == 0x09 || byte == 0x0A || byte == 0x0D }
    private static func isLetter(_ byte: UInt8) -> Bool { byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A }
}
