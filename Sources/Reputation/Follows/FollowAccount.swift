import ActivityPub

/// How the follow graph names an account, so that an actor id in a delivery and a `user@domain` address in a
/// Mastodon export meet on one key.
///
/// The key is `name@host` (lowercased) when the actor id has one of the common forms whose last segment is the
/// username — `https://host/users/NAME` (Mastodon, GoToSocial, Pleroma, Akkoma, Pixelfed), `https://host/@NAME`,
/// `https://host/u/NAME` (Lemmy), `https://host/profile/NAME` (Friendica), `https://host/accounts/NAME`
/// (PeerTube) — and otherwise the id itself. It is derived from the id alone, never from an actor document, so
/// every delivery of one actor gets the same key whether or not it carries the document.
///
/// Limits: an id whose path holds an opaque id rather than the username (Misskey's `/users/9abc…`, Mastodon's
/// numeric `/ap/users/…`) keys by a name no export uses, so an imported `user@domain` never matches it (edges
/// learned from traffic still do); and an instance whose handles use another domain than its actor ids
/// (Mastodon's `WEB_DOMAIN`) exports `user@handle-domain`, which matches no actor id.
public struct FollowAccount: Sendable, Hashable {
    public let key: String
    /// Normalised host (`Hostname`).
    public let host: String

    init(key: String, host: String) {
        self.key = key
        self.host = host
    }

    /// The account of an actor id; nil when `id` is not a valid id (`Hostname.host(ofID:)`).
    public init?(actorID id: String) {
        guard let host = Hostname.host(ofID: id) else { return nil }
        self.init(actorID: id, host: host)
    }

    /// The account of an actor id whose normalised host is already known (`Subject.actorHost`, `MentionRef.host`).
    public init(actorID id: String, host: String) {
        if let name = Self.username(inID: id) {
            self.init(key: name + "@" + host, host: host)
        } else {
            self.init(key: id, host: host)
        }
    }

    /// An address as Mastodon exports it, `user@domain` (a leading `@` is allowed); nil when it is not one.
    public init?(address: String) {
        var text = Substring(address)
        if text.first == "@" { text = text.dropFirst() }
        guard let at = text.lastIndex(of: "@"), let name = Self.validName(text[..<at]),
            case let domain = text[text.index(after: at)...], !domain.contains(":"),
            let host = Hostname.normalize(String(domain))
        else { return nil }
        self.init(key: name + "@" + host, host: host)
    }

    /// A local user given as `name`, on `domain`: how `follows import --user` names its user.
    public init?(username: String, domain: String) {
        self.init(address: username + "@" + domain)
    }

    static let namedPrefixes: Set<Substring> = ["users", "u", "profile", "accounts"]

    /// The username an id's path names, lowercased; nil for any other path, or one with a query or fragment.
    /// Reads UTF-8 bytes: it runs for every delivery's sender.
    static func username(inID id: String) -> String? {
        let utf8 = id.utf8
        guard let colon = utf8.firstIndex(of: UInt8(ascii: ":")),
            utf8[utf8.index(after: colon)...].starts(with: "//".utf8)
        else { return nil }
        let authority = utf8.index(colon, offsetBy: 3)
        guard let slash = utf8[authority...].firstIndex(of: UInt8(ascii: "/")) else { return nil }
        let path = utf8[utf8.index(after: slash)...]
        guard !path.contains(UInt8(ascii: "?")), !path.contains(UInt8(ascii: "#")) else { return nil }
        let segments = path.split(separator: UInt8(ascii: "/"), maxSplits: 2, omittingEmptySubsequences: false)
        switch segments.count {
        case 1 where segments[0].first == UInt8(ascii: "@"):
            return validName(Substring(segments[0].dropFirst()))
        case 2 where namedPrefixes.contains(Substring(segments[0])):
            return validName(Substring(segments[1]))
        default:
            return nil
        }
    }

    /// Usernames as fediverse servers allow them: ASCII letters, digits, `_`, `.` and `-`, lowercased.
    static func validName(_ name: Substring) -> String? {
        guard !name.isEmpty, name.utf8.count <= 64,
            name.utf8.allSatisfy({ byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
            })
        else { return nil }
        return name.lowercased()
    }
}
