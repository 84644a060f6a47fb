import Configuration
public import Foundation

/// The optional media inspection (`media.*`): reading QR codes in the images of verified deliveries.
public struct MediaInspectionSettings: Sendable {
    /// `media.inspect`: off by default, since it fetches from the sender's servers.
    public var enabled: Bool
    /// `media.fetchTimeoutSeconds`: the most a delivery waits for its images, fetching and decoding.
    public var timeout: TimeInterval
    /// `media.maxBytes`: the largest image fetched.
    public var maxBytes: Int
    /// `media.maxPixels`: the largest image decoded, by its header's dimensions.
    public var maxPixels: Int
    /// `media.cacheBytes`: memory for what was read from each image URL.
    public var cacheBytes: Int
    /// Most images of one post inspected (the first ones).
    public var maxImages: Int
    /// Fetch from loopback and private addresses (`keys.allowPrivateAddresses`: tests, closed networks).
    public var allowPrivateAddresses: Bool

    public init(
        enabled: Bool = false, timeout: TimeInterval = 3, maxBytes: Int = 8 << 20, maxPixels: Int = 16 << 20,
        cacheBytes: Int = 4 << 20, maxImages: Int = 4, allowPrivateAddresses: Bool = false
    ) {
        self.enabled = enabled
        self.timeout = timeout
        self.maxBytes = maxBytes
        self.maxPixels = maxPixels
        self.cacheBytes = cacheBytes
        self.maxImages = maxImages
        self.allowPrivateAddresses = allowPrivateAddresses
    }

    init(reader: ConfigReader, allowPrivateAddresses: Bool) throws(ServerConfigurationError) {
        let seconds = reader.int(forKey: "media.fetchTimeoutSeconds", default: 3)
        let bytes = reader.int(forKey: "media.maxBytes", default: 8 << 20)
        let pixels = reader.int(forKey: "media.maxPixels", default: 16 << 20)
        let cache = reader.int(forKey: "media.cacheBytes", default: 4 << 20)
        for (key, value, least) in [
            ("media.fetchTimeoutSeconds", seconds, 1), ("media.maxBytes", bytes, 1024),
            ("media.maxPixels", pixels, 10_000),
            ("media.cacheBytes", cache, 65_536),
        ] where value < least {
            throw ServerConfigurationError(key: key, message: "\(value) is too small; give at least \(least)")
        }
        self.init(
            enabled: reader.bool(forKey: "media.inspect", default: false), timeout: TimeInterval(seconds),
            maxBytes: bytes,
            maxPixels: pixels, cacheBytes: cache, allowPrivateAddresses: allowPrivateAddresses)
    }
}
