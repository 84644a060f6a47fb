public import Foundation

/// An HTTP request kept as evidence exactly as it arrived: replaying it to the instance must pass the
/// instance's own signature check, so header order, letter case and the body bytes are preserved.
public struct StoredRequest: Sendable, Hashable, Codable {
    public struct Header: Sendable, Hashable, Codable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public var method: String
    /// Path and query, as on the request line.
    public var target: String
    public var headers: [Header]
    public var body: [UInt8]
    public var receivedAt: Date
    /// When the request's signature was made (`(created)` or the signed `Date`), which bounds how long the
    /// instance will still accept a replay.
    public var signedAt: Date?

    public init(method: String, target: String, headers: [Header], body: [UInt8], receivedAt: Date, signedAt: Date?) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        self.receivedAt = receivedAt
        self.signedAt = signedAt
    }

    /// The first value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// The last moment a replay can still pass the instance's signature date check, given how far in the
    /// past the instance accepts a signature (Mastodon: about one hour).
    public func replayDeadline(window: TimeInterval) -> Date {
        (signedAt ?? receivedAt).addingTimeInterval(window)
    }
}
