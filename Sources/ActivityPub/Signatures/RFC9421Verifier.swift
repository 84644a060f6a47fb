import Crypto
public import Foundation
import RawStructuredFieldValues
import _CryptoExtras

/// Verifies RFC 9421 HTTP Message Signatures with the rules Mastodon applies to incoming requests.
///
/// Exactly one signature; `keyid` and `created` required; `alg`, if present, `rsa-v1_5-sha256`; `@method`
/// and `@target-uri` covered, and `content-digest` on POST, whose `sha-256` member must match the body;
/// the same time window as cavage. Checks run cheapest first: header syntax, parameters, coverage, time
/// window, `Content-Digest`, key, signature. `@target-uri` is rebuilt from `scheme`, `Host` and `path`.
public enum RFC9421Verifier {
    /// Verifies the request's `Signature-Input` and `Signature` headers against `publicKeyPEM`
    /// (SPKI or PKCS#1 PEM, RSA ≥ 2048 bits).
    public static func verify(
        _ request: SignedRequest, publicKeyPEM: String, now: Date = Date()
    ) throws(SignatureError) -> VerifiedSignature {
        let signature = try MessageSignature(headers: request.headers)
        try checkCoverage(of: signature, method: request.method.uppercased())
        let created = Date(timeIntervalSince1970: TimeInterval(signature.created))
        try SignatureVerifier.checkTimeWindow(
            created: created, expires: signature.expires.map { Date(timeIntervalSince1970: TimeInterval($0)) },
            now: now)
        if signature.components.contains("content-digest") {
            try checkContentDigest(of: request)
        }
        let base = try request.signatureBase(
            covering: signature.components, signatureParameters: signature.signatureParameters)
        let key = try _RSA.Signing.PublicKey(httpSignaturePEM: publicKeyPEM)
        guard key.isValidHTTPSignature(signature.signature, for: base) else {
            throw SignatureError(
                .badSignature,
                "the signature does not verify with this key; the body, a covered header or the target URI "
                    + "changed (check the scheme and Host a proxy passes on), or the key was rotated and should be "
                    + "refetched")
        }
        return VerifiedSignature(
            keyId: signature.keyId,
            expectedActorId: String(signature.keyId.prefix { $0 != "#" }),
            algorithm: nil,
            signedHeaders: signature.components,
            created: created,
            usedRequestTargetWithoutQuery: false,
            scheme: .rfc9421)
    }

    private static func checkCoverage(of signature: MessageSignature, method: String) throws(SignatureError) {
        for required in ["@method", "@target-uri"] where !signature.components.contains(required) {
            throw SignatureError(
                .missingCoverage,
                "Signature-Input must cover \(required); add \"\(required)\" to the covered components")
        }
        if method == "POST", !signature.components.contains("content-digest") {
            throw SignatureError(
                .missingCoverage,
                "Signature-Input must cover content-digest on a POST request; send Content-Digest and cover it")
        }
    }

    /// `Content-Digest` is a dictionary whose `sha-256` member is the byte sequence SHA-256(body).
    private static func checkContentDigest(of request: SignedRequest) throws(SignatureError) {
        guard let header = request.headers.combined("Content-Digest") else {
            throw SignatureError(
                .digestMissing, "content-digest is covered but the request has no Content-Digest header")
        }
        let members = try StructuredFieldDictionary.parse(header, field: "Content-Digest")
        guard let sha256 = members["sha-256"] else {
            throw SignatureError(
                .digestMissing, "Content-Digest has no sha-256 member; only SHA-256 is supported, as sha-256=:base64:")
        }
        guard case .item(let item) = sha256, case .undecodedByteSequence(let base64) = item.rfc9651BareItem,
            let digest = StructuredFieldDictionary.decodedBytes(base64), digest.count == 32
        else {
            throw SignatureError(
                .digestMismatch, "the Content-Digest sha-256 member is not a 32-byte byte sequence (sha-256=:base64:)")
        }
        guard digest.elementsEqual(SHA256.hash(data: request.body)) else {
            throw SignatureError(
                .digestMismatch, "the Content-Digest sha-256 does not match the body; the body changed after signing")
        }
    }
}
