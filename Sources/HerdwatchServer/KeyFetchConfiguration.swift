public import Foundation

/// How actor keys are fetched (see `ServerConfiguration` for the keys).
public struct KeyFetchConfiguration: Sendable {
    public var allowPrivateAddresses: Bool
    public var cacheLifetime: TimeInterval
    public var timeout: TimeInterval
    public var maxBytes: Int

    public init(allowPrivateAddresses: Bool = false, cacheLifetime: TimeInterval = 86_400, timeout: TimeInterval = 5, maxBytes: Int = 262_144) {
        self.allowPrivateAddresses = allowPrivateAddresses
        self.cacheLifetime = cacheLifetime
        self.timeout = timeout
        self.maxBytes = maxBytes
    }
}
