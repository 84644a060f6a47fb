/// The parts of an HTTP request that an HTTP signature covers, independent of any server framework.
public struct SignedRequest: Sendable, Equatable {
    /// The method as sent, e.g. `POST`.
    public var method: String
    /// The path with its query string, e.g. `/users/bob/inbox` or `/outbox?page=2`.
    public var path: String
    public var headers: Headers
    /// The raw body bytes, exactly as received; the `Digest` and `Content-Digest` headers are checked against these.
    public var body: [UInt8]
    /// `https` or `http`, as the client used it: behind a TLS-terminating proxy, the proxy's (`X-Forwarded-Proto`).
    /// RFC 9421 signs it as part of `@target-uri`; with `Host` and `path` it makes the target URI.
    public var scheme: String

    public init(
        method: String, path: String, headers: Headers = Headers(), body: [UInt8] = [], scheme: String = "https"
    ) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.scheme = scheme
    }

    /// Header fields in arrival order; names compare case-insensitively and may repeat.
    public struct Headers: Sendable, Equatable, ExpressibleByDictionaryLiteral {
        /// Each field with its name as sent.
        public private(set) var fields: [(name: String, value: String)] = []

        public init() {}

        public init(dictionaryLiteral elements: (String, String)...) {
            for (name, value) in elements { add(name, value) }
        }

        /// Every value of `name`, in order.
        public subscript(name: String) -> [String] {
            let wanted = name.lowercased()
            return fields.filter { $0.name.lowercased() == wanted }.map(\.value)
        }

        /// All values of `name` joined with `", "`, as the signing string uses them; `nil` if absent.
        public func combined(_ name: String) -> String? {
            let values = self[name]
            return values.isEmpty ? nil : values.joined(separator: ", ")
        }

        public mutating func add(_ name: String, _ value: String) {
            fields.append((name, value))
        }

        /// Replaces every value of `name` with one value.
        public mutating func set(_ name: String, _ value: String) {
            remove(name)
            add(name, value)
        }

        public mutating func remove(_ name: String) {
            let wanted = name.lowercased()
            fields.removeAll { $0.name.lowercased() == wanted }
        }

        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
        }
    }
}
