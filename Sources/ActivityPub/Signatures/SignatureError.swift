/// Why an HTTP signature could not be produced or was rejected.
///
/// Messages name the header or parameter at fault and say how to fix it. They never quote
/// request bodies, header values or key ids, so they are safe to log.
///
/// The codes are shared by draft-cavage and RFC 9421 signatures.
public struct SignatureError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable, CaseIterable {
        /// The `Signature` or `Signature-Input` header (or a header it relies on, such as `Date`,
        /// `Host` or `Content-Digest`) cannot be parsed.
        case malformedHeader
        /// Cavage `algorithm=` is neither `rsa-sha256` nor `hs2019`; RFC 9421 `alg` is not `rsa-v1_5-sha256`.
        case unsupportedAlgorithm
        /// The signature does not cover what Mastodon requires: for cavage date, request target or digest,
        /// host on GET, digest on POST; for RFC 9421 `@method`, `@target-uri`, and `content-digest` on POST.
        case missingCoverage
        /// A header the signature covers is not present on the request.
        case missingHeader
        /// The digest is covered but the request has no `Digest` (`Content-Digest`) header, or it has no
        /// SHA-256 entry.
        case digestMissing
        /// The SHA-256 digest does not match the body, or is not a 32-byte value.
        case digestMismatch
        /// The signature's creation or expiry time is outside the accepted window.
        case dateOutsideWindow
        /// The signature does not verify with the given key.
        case badSignature
        /// The key cannot be read as an RSA key of at least 2048 bits, or cannot sign.
        case badKey
        /// RFC 9421 `Signature-Input` holds more than one signature; Mastodon accepts exactly one.
        case multipleSignatures
        /// RFC 9421 `Signature-Input` lacks a required parameter (`keyid` or `created`).
        case missingParameter
        /// RFC 9421 covers a component this verifier does not compute, such as `@query-param`,
        /// `@status` or a component with parameters (`;sf`, `;key`, `;bs`, `;req`).
        case unsupportedComponent
    }

    public let code: Code
    /// What went wrong, where, and how to fix it.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "HTTP signature \(code.rawValue): \(message)" }

    /// A component or header name for a message, quoted and cut short: names come from untrusted headers.
    static func excerpt(of name: String) -> String {
        let limit = 40
        return name.count <= limit ? "\"\(name)\"" : "\"\(name.prefix(limit))…\""
    }
}
