/// A snapshot a subscriber accepted: its sequence and the SHA-256 (hex) of its payload bytes. The next snapshot
/// must come later in the same chain.
public struct BlocklistFeedCheckpoint: Sendable, Hashable, Codable {
    public var sequence: Int
    public var sha256: String

    public init(sequence: Int, sha256: String) {
        self.sequence = sequence
        self.sha256 = sha256
    }
}
