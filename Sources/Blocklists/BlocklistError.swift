/// Why a domain, a row or a whole list was refused. The message says what went wrong, where and how to fix it;
/// it may name a domain (the subject of a block is public), never a comment.
public struct BlocklistError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// Not a host name (bad characters, empty label, too long, an IP address, a port).
        case invalidDomain
        /// An obfuscated entry (`exa****.*rg`): it names no domain we could match.
        case obfuscatedDomain
        /// The entry would cover a whole public suffix (`com`, `co.uk`, `*.github.io`).
        case publicSuffix
        /// The entry would block our own domain.
        case ownDomain
        /// The domain is on the configured excludes.
        case excluded
        /// A field's value is not one the format allows (a severity such as `limit`, a Boolean such as `maybe`).
        case invalidField
        /// The same domain appears twice in one list.
        case duplicate
        /// The file is not in the format given or detected (no header, not JSON, wrong shape).
        case malformedList
        /// The list has no usable entry: applying it would wipe every block it used to carry.
        case emptyList
        /// The format cannot be recognised from the text.
        case unknownFormat
        /// A subscription's settings are not usable (its id, URL, weight, interval or keys).
        case invalidSubscription
    }

    /// Where in a file: a line of a text format, or an element of a JSON list (its 1-based position, or for
    /// RapidBlock's object of blocks, the member's position).
    public enum Location: Sendable, Hashable, CustomStringConvertible {
        case line(Int)
        case entry(Int)

        public var description: String {
            switch self {
            case .line(let line): "line \(line)"
            case .entry(let entry): "entry \(entry)"
            }
        }
    }

    public let code: Code
    public let message: String
    /// Where in the file, when the error is about one row.
    public let location: Location?

    public init(_ code: Code, _ message: String, location: Location? = nil) {
        self.code = code
        self.message = message
        self.location = location
    }

    /// The same error at `location`.
    func at(_ location: Location) -> BlocklistError {
        BlocklistError(code, message, location: location)
    }

    public var description: String {
        if let location { return "\(location): \(message)" }
        return message
    }
}
