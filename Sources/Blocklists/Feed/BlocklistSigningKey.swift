import Crypto
public import Foundation

/// One of our Ed25519 keys for signing the published list. The current key signs every snapshot; a key replaced
/// by `rotate` keeps signing beside it until `validUntil`, so a subscriber still pinned to it keeps verifying
/// while its admin adds the new key.
public struct BlocklistSigningKey: Sendable, Hashable {
    /// `BlocklistSigningKey.id(ofPublicKey:)` of the public key.
    public let id: String
    /// The 32 raw bytes of the private key.
    public let privateKey: Data
    public let validFrom: Date
    /// Nil while the key is current; set at rotation to the end of the overlap.
    public var validUntil: Date?

    public init(privateKey: Data, validFrom: Date, validUntil: Date? = nil) throws {
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: privateKey)
        self.privateKey = privateKey
        self.id = Self.id(ofPublicKey: key.publicKey.rawRepresentation)
        self.validFrom = validFrom
        self.validUntil = validUntil
    }

    /// A new random key, valid from `now`.
    public static func generate(now: Date = Date()) -> BlocklistSigningKey {
        let key = Curve25519.Signing.PrivateKey()
        // A freshly generated raw key always reads back.
        return try! BlocklistSigningKey(privateKey: key.rawRepresentation, validFrom: now)
    }

    /// The public key as subscribers pin it: base64 of its 32 raw bytes.
    public var publicKey: String {
        // `privateKey` was checked by `init`.
        let key = try! Curve25519.Signing.PrivateKey(rawRepresentation: privateKey)
        return key.publicKey.rawRepresentation.base64EncodedString()
    }

    /// Whether the key still signs at `now`.
    public func isValid(at now: Date) -> Bool {
        validUntil.map { now < $0 } ?? true
    }

    /// The signature over exactly `bytes`.
    public func sign(_ bytes: Data) -> Data {
        let key = try! Curve25519.Signing.PrivateKey(rawRepresentation: privateKey)
        // Curve25519 signing fails only for a malformed key, which `init` refused.
        return try! key.signature(for: bytes)
    }

    /// A key's id: the first 16 hex digits of the SHA-256 of its raw public key, so a verifier holding only the
    /// public key (as a subscription does) computes the same id.
    public static func id(ofPublicKey raw: Data) -> String {
        String(SHA256.hash(data: raw).map { String(format: "%02x", $0) }.joined().prefix(16))
    }
}
