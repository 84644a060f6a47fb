/// Why a fetched snapshot or signed file was refused. The message says what was wrong and what to do; it names
/// sequence numbers, key ids and hashes, never entries.
public struct BlocklistFeedRejection: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: String, Sendable, Hashable, CaseIterable, Codable {
        /// Not a signed envelope, or its payload is not the document it claims to be.
        case malformed
        /// No signature is by a key the subscription trusts.
        case unknownKey
        /// A signature by a trusted key does not match the bytes: they were changed after signing.
        case badSignature
        /// The sequence is lower than the last one accepted: an older snapshot served again.
        case rollback
        /// The sequence equals the last one accepted.
        case replay
        /// Snapshots were skipped and the chain of hashes does not lead back to the last one accepted.
        case gap
        /// The snapshot's expiry has passed: the publisher stopped refreshing it, or it is being withheld.
        case expired
        /// A detached signature names a different file (its SHA-256 does not match the bytes fetched).
        case fileMismatch
    }

    public let reason: Reason
    public let message: String

    public init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    public var description: String { "\(reason.rawValue): \(message)" }
}
