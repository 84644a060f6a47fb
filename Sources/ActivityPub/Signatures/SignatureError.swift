/// Why an HTTP signature could not be produced or was rejected.
///
/// Messages name the header or parameter at fault and say how to fix it. They never quote
/// request bodies, header values or key ids, so they are safe to log.
public struct SignatureError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable, CaseIterable {
        /// The `Signature` header (or a header it relies on, such as `Date`) cannot be parsed.
        case malformedHeader
        /// `algorithm=` is neither `rsa-sha256` nor `hs2019`.
        case unsupportedAlgorithm
        /// `headers=` does not cover what Mastodon requires (date, request target or digest, host on GET, digest on POST).
        case missingCoverage
        /// A header listed in `headers=` is not present on the request.
        case missingHeader
        /// `digest` is signed but the request has no `Digest` header, or it has no `SHA-256` entry.
        case digestMissing
        /// The `SHA-256` digest does not match the body, or is not a 32-byte value.
        case digestMismatch
        /// The signature's creation or expiry time is outside the accepted window.
        case dateOutsideWindow
        /// The signature does not verify with the given key.
        case badSignature
        /// The key cannot be read as an RSA key of at least 2048 bits, or cannot sign.
        case badKey
    }

    public let code: Code
    /// What went wrong, where, and how to fix it.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "HTTP signature \(code.rawValue): \(message)" }
}
