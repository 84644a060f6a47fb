public import Foundation

/// What a `.sig` file signs for one of the list's other views (CSV, text): the view's SHA-256, and the snapshot
/// it was rendered from (sequence, hash, chain, expiry), so the same checks apply as to the snapshot itself.
/// Travels as the payload of a `SignedEnvelope`.
public struct DetachedSignature: Sendable, Hashable {
    public static let formatVersion = "herdwatch-blocklist-signature/1"

    public var publisher: String
    /// The file's name as published (`blocklist.csv`).
    public var file: String
    /// SHA-256 (hex) of the file's bytes.
    public var sha256: String
    /// The snapshot the file was rendered from.
    public var sequence: Int
    public var snapshotSHA256: String
    public var history: [BlocklistFeedCheckpoint]
    public var issuedAt: Date
    public var expiresAt: Date
    public var keyID: String

    /// The signature for `file`'s `bytes`, rendered from `snapshot`.
    public init(file: String, bytes: Data, of snapshot: BlocklistSnapshot) {
        publisher = snapshot.publisher
        self.file = file
        sha256 = FeedJSON.sha256(bytes)
        sequence = snapshot.sequence
        snapshotSHA256 = snapshot.checkpoint.sha256
        history = snapshot.history
        issuedAt = snapshot.issuedAt
        expiresAt = snapshot.expiresAt
        keyID = snapshot.keyID
    }

    struct Wire: Codable {
        var format: String
        var publisher: String
        var file: String
        var sha256: String
        var sequence: Int
        var snapshotSHA256: String
        var history: [BlocklistFeedCheckpoint]
        var issuedAt: Date
        var expiresAt: Date
        var keyID: String

        enum CodingKeys: String, CodingKey {
            case format, publisher, file, sha256, sequence, history
            case snapshotSHA256 = "snapshot_sha256"
            case issuedAt = "issued_at"
            case expiresAt = "expires_at"
            case keyID = "key_id"
        }
    }

    public var payload: Data {
        try! FeedJSON.encoder.encode(
            Wire(
                format: Self.formatVersion, publisher: publisher, file: file, sha256: sha256, sequence: sequence,
                snapshotSHA256: snapshotSHA256, history: history, issuedAt: issuedAt, expiresAt: expiresAt,
                keyID: keyID))
    }

    public init(payload: Data) throws(BlocklistFeedRejection) {
        let wire: Wire
        do {
            wire = try FeedJSON.decoder.decode(Wire.self, from: payload)
        } catch {
            throw BlocklistFeedRejection(
                .malformed, "the signed payload is not a \(Self.formatVersion) signature (\(FeedJSON.describe(error)))")
        }
        guard wire.format == Self.formatVersion else {
            throw BlocklistFeedRejection(
                .malformed, "the signature's format is \(String(reflecting: wire.format)), not \(Self.formatVersion)")
        }
        publisher = wire.publisher
        file = wire.file
        sha256 = wire.sha256
        sequence = wire.sequence
        snapshotSHA256 = wire.snapshotSHA256
        history = wire.history
        issuedAt = wire.issuedAt
        expiresAt = wire.expiresAt
        keyID = wire.keyID
    }

    public func signed(with keys: [BlocklistSigningKey]) -> SignedEnvelope {
        SignedEnvelope(signing: payload, with: keys)
    }

    /// The snapshot this file belongs to, as a subscriber records it.
    public var checkpoint: BlocklistFeedCheckpoint {
        BlocklistFeedCheckpoint(sequence: sequence, sha256: snapshotSHA256)
    }
}
