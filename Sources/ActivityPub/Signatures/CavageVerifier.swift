public import Foundation
import _CryptoExtras

/// Verifies draft-cavage HTTP signatures with the rules Mastodon applies to incoming requests.
///
/// Checks run in this order, so the first failure names the cheapest problem: header syntax, algorithm,
/// coverage, time window, `Digest`, key, signature. Fetching the key for `keyId` is the caller's job.
public enum CavageVerifier {
    /// Verifies the request's `Signature` header against `publicKeyPEM` (SPKI or PKCS#1 PEM, RSA ≥ 2048 bits).
    public static func verify(
        _ request: SignedRequest, publicKeyPEM: String, now: Date = Date()
    ) throws(SignatureError) -> VerifiedSignature {
        guard let header = request.headers.combined("Signature") else {
            throw SignatureError(.malformedHeader, "the request has no Signature header; the sender must sign it")
        }
        let signature = try HTTPSignature(parsing: header)
        try checkCoverage(of: signature, method: request.method.uppercased())
        let created = try checkTimeWindow(of: signature, headers: request.headers, now: now)
        if signature.headers.contains("digest") {
            try checkDigest(of: request)
        }
        let signingString = try request.signingString(
            covering: signature.headers, created: signature.created, expires: signature.expires, includeQuery: true)
        let key = try _RSA.Signing.PublicKey(httpSignaturePEM: publicKeyPEM)
        guard let bytes = Data(base64Encoded: signature.signature) else {
            throw SignatureError(.badSignature, "the signature= parameter is not valid base64")
        }
        func verifies(_ text: String) -> Bool { key.isValidHTTPSignature(bytes, for: text) }
        var usedRequestTargetWithoutQuery = false
        if !verifies(signingString) {
            let hasLegacyForm = signature.headers.contains("(request-target)") && request.path.contains("?")
            let legacy = try request.signingString(
                covering: signature.headers, created: signature.created, expires: signature.expires, includeQuery: false
            )
            guard hasLegacyForm, verifies(legacy) else {
                throw SignatureError(
                    .badSignature,
                    "the signature does not verify with this key; the body or a signed header changed, "
                        + "or the key was rotated and should be refetched")
            }
            usedRequestTargetWithoutQuery = true
        }
        let keyId = signature.keyId
        return VerifiedSignature(
            keyId: keyId,
            expectedActorId: String(keyId.prefix { $0 != "#" }),
            algorithm: signature.algorithm,
            signedHeaders: signature.headers,
            created: created,
            usedRequestTargetWithoutQuery: usedRequestTargetWithoutQuery,
            scheme: .cavage)
    }

    private static func checkCoverage(of signature: HTTPSignature, method: String) throws(SignatureError) {
        let signed = Set(signature.headers)
        if signature.algorithm != .hs2019, !signed.isDisjoint(with: ["(created)", "(expires)"]) {
            throw SignatureError(
                .malformedHeader, "(created) and (expires) may only be signed with algorithm hs2019")
        }
        func require(_ condition: Bool, _ what: String) throws(SignatureError) {
            guard condition else {
                throw SignatureError(.missingCoverage, "headers= must include \(what); add it to the signed headers")
            }
        }
        try require(signed.contains("date") || signed.contains("(created)"), "date or (created)")
        try require(signed.contains("(request-target)") || signed.contains("digest"), "(request-target) or digest")
        if method == "GET" { try require(signed.contains("host"), "host on a GET request") }
        if method == "POST" { try require(signed.contains("digest"), "digest on a POST request") }
    }

    /// Returns the creation time, or throws when it is too far in the future or the signature expired too long ago.
    ///
    /// Only values the signature covers count: `created=` only when `(created)` is signed, else the `Date`
    /// header only when `date` is signed, and `expires=` only when `(expires)` is signed. An uncovered value can
    /// be edited by anyone who replays the request, and would move an old delivery back into the window.
    private static func checkTimeWindow(
        of signature: HTTPSignature, headers: SignedRequest.Headers, now: Date
    ) throws(SignatureError) -> Date {
        let signed = Set(signature.headers)
        let created: Date
        if signed.contains("(created)") {
            guard let seconds = signature.created.flatMap({ Int64($0) }) else {
                throw SignatureError(
                    .malformedHeader, "headers= covers (created) but the Signature header has no created= parameter")
            }
            created = Date(timeIntervalSince1970: TimeInterval(seconds))
        } else if signed.contains("date") {
            guard let dateHeader = headers.combined("Date") else {
                throw SignatureError(.missingHeader, "headers= covers date but the request has no Date header")
            }
            guard let date = HTTPDate.parse(dateHeader) else {
                throw SignatureError(
                    .malformedHeader, "the Date header is not an RFC 7231 date such as 'Tue, 20 Feb 2024 10:00:00 GMT'")
            }
            created = date
        } else {
            throw SignatureError(
                .missingCoverage,
                "the signature covers neither (created) nor date, so nothing dates it; add one to headers=")
        }
        var expires: Date?
        if signed.contains("(expires)") {
            guard let seconds = signature.expires.flatMap({ Int64($0) }) else {
                throw SignatureError(
                    .malformedHeader, "headers= covers (expires) but the Signature header has no expires= parameter")
            }
            expires = Date(timeIntervalSince1970: TimeInterval(seconds))
        }
        try SignatureVerifier.checkTimeWindow(created: created, expires: expires, now: now)
        return created
    }

    private static func checkDigest(of request: SignedRequest) throws(SignatureError) {
        guard let header = request.headers.combined("Digest") else {
            throw SignatureError(.digestMissing, "digest is signed but the request has no Digest header")
        }
        let entries = header.split(separator: ",").map { entry in
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (
                algorithm: parts[0].trimmingCharacters(in: .whitespaces).lowercased(),
                value: parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
            )
        }
        guard let sha256 = entries.first(where: { $0.algorithm == "sha-256" }) else {
            throw SignatureError(.digestMissing, "the Digest header has no SHA-256 entry; only SHA-256 is supported")
        }
        guard sha256.value != request.bodyDigest else { return }
        guard Data(base64Encoded: sha256.value)?.count == 32 else {
            throw SignatureError(.digestMismatch, "the SHA-256 Digest is not base64 of 32 bytes")
        }
        throw SignatureError(
            .digestMismatch, "the SHA-256 Digest does not match the body; the body changed after signing")
    }
}
