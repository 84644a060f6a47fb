public import Foundation

/// A signature that verified: who signed, and what the signature covered.
public struct VerifiedSignature: Sendable, Equatable {
    /// The key URL as sent. Resolve it to an actor yourself: GoToSocial-style `/main-key` path keys
    /// name a separate document whose `owner` is the actor.
    public let keyId: String
    /// `keyId` without its `#fragment`: the actor id when the key is embedded in the actor (Mastodon's
    /// `#main-key`). The caller must still check that this is the activity's `actor`.
    public let expectedActorId: String
    public let algorithm: HTTPSignature.Algorithm
    /// The lowercased header names that were signed, in order.
    public let signedHeaders: [String]
    /// When the signature was made, from `(created)` or the `Date` header.
    public let created: Date?
    /// True when `(request-target)` only verified without the query string, the form Mastodon still
    /// accepts for compatibility and may stop accepting.
    public let usedRequestTargetWithoutQuery: Bool
}
