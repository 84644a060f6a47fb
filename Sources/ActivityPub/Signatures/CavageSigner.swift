public import Foundation
public import _CryptoExtras

/// Signs outgoing requests with draft-cavage HTTP signatures exactly as Mastodon does.
public enum CavageSigner {
    /// What Mastodon signs on inbox POSTs: every header it sends except `User-Agent` and `Accept-Encoding`.
    public static let mastodonPostHeaders = ["(request-target)", "host", "date", "digest", "content-type"]

    /// Sets `Date` (and `Digest` when signed or when there is a body), then adds the `Signature` header.
    ///
    /// Set every other header in `headers` (such as `Host` and `Content-Type`) on the request first.
    /// `(request-target)` is signed with the query string, the form Mastodon verifies first.
    public static func sign(
        _ request: inout SignedRequest,
        keyId: String,
        privateKey: _RSA.Signing.PrivateKey,
        headers: [String] = mastodonPostHeaders,
        now: Date = Date()
    ) throws(SignatureError) {
        let names = headers.map { $0.lowercased() }
        request.headers.set("Date", HTTPDate.format(now))
        if names.contains("digest") || !request.body.isEmpty {
            request.headers.set("Digest", "SHA-256=\(request.bodyDigest)")
        }
        let signingString = try request.signingString(covering: names, created: nil, expires: nil, includeQuery: true)
        let signature = try privateKey.httpSignature(for: signingString)
        let header = HTTPSignature(
            keyId: keyId, algorithm: .rsaSHA256, headers: names, signature: signature.base64EncodedString())
        request.headers.set("Signature", header.headerValue)
    }
}
