public import Foundation
public import _CryptoExtras

/// How actor keys are fetched (see `ServerConfiguration` for the keys).
public struct KeyFetchConfiguration: Sendable {
    public var allowPrivateAddresses: Bool
    public var cacheLifetime: TimeInterval
    public var timeout: TimeInterval
    public var maxBytes: Int
    /// Signs key fetches (servers in authorized-fetch mode answer only signed GETs): the instance actor's
    /// key id and private key.
    public var signer: Signer?

    public struct Signer: Sendable {
        public var keyID: String
        public var privateKey: _RSA.Signing.PrivateKey

        public init(keyID: String, privateKey: _RSA.Signing.PrivateKey) {
            self.keyID = keyID
            self.privateKey = privateKey
        }
    }

    public init(
        allowPrivateAddresses: Bool = false, cacheLifetime: TimeInterval = 86_400, timeout: TimeInterval = 5,
        maxBytes: Int = 262_144, signer: Signer? = nil
    ) {
        self.allowPrivateAddresses = allowPrivateAddresses
        self.cacheLifetime = cacheLifetime
        self.timeout = timeout
        self.maxBytes = maxBytes
        self.signer = signer
    }
}
