public import Foundation
public import _CryptoExtras

/// How actor keys are fetched (see `ServerConfiguration` for the keys).
public struct KeyFetchConfiguration: Sendable {
    public var allowPrivateAddresses: Bool
    public var cacheLifetime: TimeInterval
    /// The whole fetch, from resolving the host to the last byte of the document.
    public var timeout: TimeInterval
    public var maxBytes: Int
    /// The most the key cache holds, counted in the bytes of its keys and compact actor profiles.
    public var cacheBytes: Int
    /// The least time between two fetches of one key: a flood of bad signatures under a cached keyId is
    /// answered from the cached key instead of turning into a flood of fetches from its server.
    public var refetchInterval: TimeInterval
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
        maxBytes: Int = 262_144, cacheBytes: Int = 16 << 20, refetchInterval: TimeInterval = 60, signer: Signer? = nil
    ) {
        self.allowPrivateAddresses = allowPrivateAddresses
        self.cacheLifetime = cacheLifetime
        self.timeout = timeout
        self.maxBytes = maxBytes
        self.cacheBytes = cacheBytes
        self.refetchInterval = refetchInterval
        self.signer = signer
    }
}
