public import Foundation

/// A signature that verified: who signed, and what the signature covered.
public struct VerifiedSignature: Sendable, Equatable {
    /// The signature standard a request was checked under.
    public enum Scheme: String, Sendable, Equatable {
        /// draft-cavage-http-signatures-12: one `Signature` header, what most servers still send.
        case cavage
        /// RFC 9421 HTTP Message Signatures: `Signature-Input` and `Signature` headers.
        case rfc9421
    }

    /// The key URL as sent. Resolve it to an actor yourself: GoToSocial-style `/main-key` path keys
    /// name a separate document whose `owner` is the actor.
    public let keyId: String
    /// `keyId` without its `#fragment`: the actor id when the key is embedded in the actor (Mastodon's
    /// `#main-key`). The caller must still check that this is the activity's `actor`.
    public let expectedActorId: String
    /// The cavage `algorithm=`; nil under RFC 9421, whose only accepted algorithm is `rsa-v1_5-sha256`.
    public let algorithm: HTTPSignature.Algorithm?
    /// What the signature covered, in order. Cavage: lowercased header names and pseudo-headers such as
    /// `(request-target)`. RFC 9421: component names such as `@method`, `@target-uri`, `content-digest`.
    public let signedHeaders: [String]
    /// When the signature was made: cavage `(created)` or the `Date` header; RFC 9421 `created`.
    public let created: Date?
    /// True when `(request-target)` only verified without the query string, the form Mastodon still
    /// accepts for compatibility and may stop accepting. Always false under RFC 9421.
    public let usedRequestTargetWithoutQuery: Bool
    public let scheme: Scheme
}
