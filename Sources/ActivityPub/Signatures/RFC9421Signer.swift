public import Foundation
import RawStructuredFieldValues
public import _CryptoExtras

/// Signs outgoing requests with RFC 9421 HTTP Message Signatures in the form Mastodon verifies.
public enum RFC9421Signer {
    /// Sets `Date` (and `Content-Digest` on POST or when there is a body), then `Signature-Input` and
    /// `Signature` covering `@method @target-uri content-digest date` (no `content-digest` on a bodiless GET),
    /// with `created` and `keyid` parameters.
    ///
    /// Set `Host` and `scheme` on the request first: they make the signed `@target-uri`.
    public static func sign(
        _ request: inout SignedRequest,
        keyId: String,
        privateKey: _RSA.Signing.PrivateKey,
        label: String = "sig1",
        now: Date = Date()
    ) throws(SignatureError) {
        guard keyId.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else {
            throw SignatureError(.malformedHeader, "keyId must be printable ASCII; percent-encode the key URL")
        }
        guard let first = label.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first),
            label.utf8.allSatisfy({ "abcdefghijklmnopqrstuvwxyz0123456789_-.*".utf8.contains($0) })
        else {
            throw SignatureError(.malformedHeader, "the signature label must be a lowercase key such as sig1")
        }
        var signed = request
        var components = ["@method", "@target-uri"]
        if signed.method.uppercased() == "POST" || !signed.body.isEmpty {
            signed.headers.set("Content-Digest", "sha-256=:\(signed.bodyDigest):")
            components.append("content-digest")
        }
        signed.headers.set("Date", HTTPDate.format(now))
        components.append("date")
        var items = BareInnerList()
        for component in components { items.append(Item(bareItem: RFC9651BareItem.string(component), parameters: [:])) }
        let parameters = InnerList(
            bareInnerList: items,
            parameters: [
                "created": .integer(Int64(now.timeIntervalSince1970.rounded(.down))), "keyid": .string(keyId),
            ])
        let base = try signed.signatureBase(covering: components, signatureParameters: parameters)
        let signature = try privateKey.httpSignature(for: base)
        signed.headers.set("Signature-Input", "\(label)=\(try StructuredFieldValueSerializer.serialized(parameters))")
        signed.headers.set("Signature", "\(label)=:\(signature.base64EncodedString()):")
        request = signed
    }
}
