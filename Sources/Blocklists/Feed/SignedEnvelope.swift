import Crypto
public import Foundation

/// Signed bytes as they travel: the payload, base64-encoded so a verifier checks exactly the bytes that were
/// signed (no JSON canonicalisation), beside one signature per signing key.
///
/// `{"payload":"<base64>","signatures":[{"key_id":"…","signature":"<base64>"}]}`
public struct SignedEnvelope: Sendable, Hashable {
    public struct Signature: Sendable, Hashable, Codable {
        public var keyID: String
        public var signature: Data

        enum CodingKeys: String, CodingKey {
            case keyID = "key_id"
            case signature
        }
    }

    public var payload: Data
    public var signatures: [Signature]

    /// `payload` signed by each of `keys`.
    public init(signing payload: Data, with keys: [BlocklistSigningKey]) {
        self.payload = payload
        signatures = keys.map { Signature(keyID: $0.id, signature: $0.sign(payload)) }
    }

    private struct Wire: Codable {
        var payload: Data
        var signatures: [Signature]
    }

    public init(decoding bytes: Data) throws(BlocklistFeedRejection) {
        guard let wire = try? JSONDecoder().decode(Wire.self, from: bytes) else {
            throw BlocklistFeedRejection(
                .malformed,
                "the document is not a signed envelope ({\"payload\": base64, \"signatures\": [...]}); check the URL "
                    + "points at the publisher's snapshot or .sig file")
        }
        payload = wire.payload
        signatures = wire.signatures
    }

    /// The envelope as served.
    public var encoded: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Data and strings always encode.
        return try! encoder.encode(Wire(payload: payload, signatures: signatures)) + Data("\n".utf8)
    }

    /// Checks that a signature by one of `trustedKeys` (base64 raw Ed25519 public keys) covers the payload.
    /// A signature by a key we do not know is ignored; a bad one by a key we trust is tampering, even if another
    /// trusted key's signature matches.
    public func verify(trustedKeys: [String]) throws(BlocklistFeedRejection) {
        var trusted: [String: Curve25519.Signing.PublicKey] = [:]
        for text in trustedKeys {
            guard let raw = Data(base64Encoded: text),
                let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw)
            else { continue }
            trusted[BlocklistSigningKey.id(ofPublicKey: raw)] = key
        }
        let known = signatures.filter { trusted[$0.keyID] != nil }
        guard !known.isEmpty else {
            let ids = signatures.map(\.keyID).joined(separator: ", ")
            throw BlocklistFeedRejection(
                .unknownKey,
                "signed by key(s) [\(ids)], none of which the subscription trusts (trusted: "
                    + "\(trusted.keys.sorted().joined(separator: ", "))); add the publisher's current key from its "
                    + "/.well-known/herdwatch-blocklist-keys after checking it out of band")
        }
        for signature in known where !trusted[signature.keyID]!.isValidSignature(signature.signature, for: payload) {
            throw BlocklistFeedRejection(
                .badSignature,
                "the signature by key \(signature.keyID) does not match the payload: the bytes were changed after "
                    + "signing; nothing was accepted")
        }
    }
}
