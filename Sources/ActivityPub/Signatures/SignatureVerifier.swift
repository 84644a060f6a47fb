public import Foundation

/// Verifies an incoming request's HTTP signature under the scheme Mastodon would pick for it.
///
/// A request with a `Signature-Input` header is checked as RFC 9421 (`RFC9421Verifier`), any other as
/// draft-cavage (`CavageVerifier`). Both give a `VerifiedSignature` and the same `SignatureError` codes,
/// and both apply Mastodon's time window. Fetching the key is the caller's job: read `keyId(of:)`,
/// fetch that key, then call `verify`.
public enum SignatureVerifier {
    /// How far a signature may be dated in the future, and how long after expiry it is still accepted.
    public static let clockSkewMargin: TimeInterval = 60 * 60
    /// Lifetime of a signature that has no `expires` parameter.
    public static let defaultLifetime: TimeInterval = 5 * 60
    /// The longest lifetime an `expires` parameter may claim.
    public static let maximumLifetime: TimeInterval = 12 * 60 * 60

    /// The scheme Mastodon would check the request under: RFC 9421 when `Signature-Input` is present and
    /// not blank, else draft-cavage.
    public static func scheme(of request: SignedRequest) -> VerifiedSignature.Scheme {
        let input = request.headers.combined("Signature-Input") ?? ""
        return input.allSatisfy(\.isWhitespace) ? .cavage : .rfc9421
    }

    /// The key the request claims to be signed with, so the caller can fetch it before calling `verify`.
    public static func keyId(of request: SignedRequest) throws(SignatureError) -> String {
        switch scheme(of: request) {
        case .rfc9421:
            return try MessageSignature(headers: request.headers).keyId
        case .cavage:
            guard let header = request.headers.combined("Signature") else {
                throw SignatureError(.malformedHeader, "the request has no Signature header; the sender must sign it")
            }
            return try HTTPSignature(parsing: header).keyId
        }
    }

    /// Verifies the request's signature against `publicKeyPEM` (SPKI or PKCS#1 PEM, RSA ≥ 2048 bits).
    public static func verify(
        _ request: SignedRequest, publicKeyPEM: String, now: Date = Date()
    ) throws(SignatureError) -> VerifiedSignature {
        switch scheme(of: request) {
        case .rfc9421: try RFC9421Verifier.verify(request, publicKeyPEM: publicKeyPEM, now: now)
        case .cavage: try CavageVerifier.verify(request, publicKeyPEM: publicKeyPEM, now: now)
        }
    }

    /// Mastodon's window: `created` at most 1 h ahead; `expires` (default `created` + 5 min, capped at
    /// `created` + 12 h) passed by at most 1 h.
    static func checkTimeWindow(created: Date?, expires: Date?, now: Date) throws(SignatureError) {
        var expires = expires
        if let created {
            expires = min(expires ?? created + defaultLifetime, created + maximumLifetime)
            if created > now + clockSkewMargin {
                throw SignatureError(
                    .dateOutsideWindow,
                    "the signature is dated more than 1 hour in the future; check the sender's clock")
            }
        }
        if let expires, now > expires + clockSkewMargin {
            throw SignatureError(
                .dateOutsideWindow, "the signature expired more than 1 hour ago; a replayed or delayed request")
        }
    }
}
