import Crypto
public import Foundation

/// Our published list as one signed document: the payload (this type, as JSON) inside a `SignedEnvelope`.
///
/// Every snapshot names its sequence, the SHA-256 of the previous snapshot's payload, and the most recent
/// `historyLength` (sequence, hash) pairs before it, so a subscriber that missed some snapshots can still check
/// it is on the same chain. It expires: a publisher that stops refreshing it, or someone withholding newer ones,
/// is noticed.
public struct BlocklistSnapshot: Sendable, Hashable {
    public static let formatVersion = "herdwatch-blocklist-snapshot/1"
    /// How many earlier snapshots a payload names.
    public static let historyLength = 64

    public var publisher: String
    public var sequence: Int
    /// The previous snapshot's payload hash; nil for the first.
    public var previousSHA256: String?
    /// Earlier snapshots, newest first (the first is the previous one).
    public var history: [BlocklistFeedCheckpoint]
    public var issuedAt: Date
    public var expiresAt: Date
    /// The id of the current key (other keys in their overlap sign beside it).
    public var keyID: String
    /// Active and retracted entries, sorted by domain.
    public var entries: [DomainBlock]

    public init(
        publisher: String, sequence: Int, history: [BlocklistFeedCheckpoint], issuedAt: Date, expiresAt: Date,
        keyID: String, entries: [DomainBlock]
    ) {
        self.publisher = publisher
        self.sequence = sequence
        self.previousSHA256 = history.first?.sha256
        self.history = Array(history.prefix(Self.historyLength))
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.keyID = keyID
        self.entries = entries.sorted { $0.domain.utf8.lexicographicallyPrecedes($1.domain.utf8) }
    }

    /// What a published list holds: our own entries, active and retracted, never those that came from a
    /// subscription (we would relay our peers' blocks back to them as ours).
    public static func publishable(_ blocks: [DomainBlock]) -> [DomainBlock] {
        blocks.filter { $0.provenance?.origin.isSubscription != true }
    }

    /// SHA-256 of what `entries` publish (sorted, public fields only): tells whether a new snapshot is needed.
    public static func entriesSHA256(_ entries: [DomainBlock]) -> String {
        let sorted = entries.sorted { $0.domain.utf8.lexicographicallyPrecedes($1.domain.utf8) }
        return FeedJSON.sha256(try! FeedJSON.encoder.encode(sorted.map(Entry.init)))
    }

    // MARK: Wire form

    struct Entry: Codable {
        var domain: String
        var severity: BlockSeverity
        var rejectMedia: Bool
        var rejectReports: Bool
        var publicComment: String
        var obfuscate: Bool
        var reasons: [BlockReason]
        var state: DomainBlock.State
        var revision: Int

        enum CodingKeys: String, CodingKey {
            case domain, severity, obfuscate, reasons, state, revision
            case rejectMedia = "reject_media"
            case rejectReports = "reject_reports"
            case publicComment = "public_comment"
        }

        init(_ block: DomainBlock) {
            domain = block.domain
            severity = block.severity
            rejectMedia = block.rejectMedia
            rejectReports = block.rejectReports
            publicComment = block.publicComment
            obfuscate = block.obfuscate
            reasons = block.reasons.sorted()
            state = block.state
            revision = block.revision
        }
    }

    struct Wire: Codable {
        var format: String
        var publisher: String
        var sequence: Int
        var previousSHA256: String?
        var history: [BlocklistFeedCheckpoint]
        var issuedAt: Date
        var expiresAt: Date
        var keyID: String
        var entries: [Entry]

        enum CodingKeys: String, CodingKey {
            case format, publisher, sequence, history, entries
            case previousSHA256 = "previous_sha256"
            case issuedAt = "issued_at"
            case expiresAt = "expires_at"
            case keyID = "key_id"
        }
    }

    /// The payload bytes (what is signed and hashed).
    public var payload: Data {
        let wire = Wire(
            format: Self.formatVersion, publisher: publisher, sequence: sequence, previousSHA256: previousSHA256,
            history: history, issuedAt: issuedAt, expiresAt: expiresAt, keyID: keyID, entries: entries.map(Entry.init))
        return try! FeedJSON.encoder.encode(wire)
    }

    /// Reads a payload; the entries carry `provenance` (the subscription they came through).
    public init(payload: Data, provenance: BlockProvenance? = nil) throws(BlocklistFeedRejection) {
        let wire: Wire
        do {
            wire = try FeedJSON.decoder.decode(Wire.self, from: payload)
        } catch {
            throw BlocklistFeedRejection(
                .malformed, "the signed payload is not a \(Self.formatVersion) snapshot (\(FeedJSON.describe(error)))")
        }
        guard wire.format == Self.formatVersion else {
            throw BlocklistFeedRejection(
                .malformed,
                "the snapshot's format is \(String(reflecting: wire.format)), not \(Self.formatVersion); "
                    + "upgrade Herdwatch to read it")
        }
        var entries: [DomainBlock] = []
        for (position, entry) in wire.entries.enumerated() {
            guard let domain = try? BlockDomain.normalize(entry.domain), domain == entry.domain else {
                throw BlocklistFeedRejection(
                    .malformed, "entry \(position + 1) of snapshot \(wire.sequence) is not a normalised domain")
            }
            entries.append(
                DomainBlock(
                    domain: domain, severity: entry.severity, rejectMedia: entry.rejectMedia,
                    rejectReports: entry.rejectReports, publicComment: entry.publicComment, obfuscate: entry.obfuscate,
                    reasons: Set(entry.reasons), state: entry.state, revision: entry.revision,
                    provenance: provenance))
        }
        self.init(
            publisher: wire.publisher, sequence: wire.sequence, history: wire.history, issuedAt: wire.issuedAt,
            expiresAt: wire.expiresAt, keyID: wire.keyID, entries: entries)
        guard wire.previousSHA256 == wire.history.first?.sha256 else {
            throw BlocklistFeedRejection(
                .malformed, "snapshot \(wire.sequence)'s previous_sha256 is not the first hash of its history")
        }
    }

    /// The snapshot signed by `keys` (the current one first), ready to serve.
    public func signed(with keys: [BlocklistSigningKey]) -> SignedEnvelope {
        SignedEnvelope(signing: payload, with: keys)
    }

    /// This snapshot's place in the chain.
    public var checkpoint: BlocklistFeedCheckpoint {
        BlocklistFeedCheckpoint(sequence: sequence, sha256: FeedJSON.sha256(payload))
    }
}

/// The JSON settings every feed document shares: sorted keys and whole-second ISO 8601 dates, so the same
/// snapshot always has the same bytes.
enum FeedJSON {
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    static func sha256(_ bytes: Data) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// A decoding error's path, without values.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "not JSON" }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing `\(key.stringValue)` at \(path(context.codingPath))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "bad value at \(path(context.codingPath))"
        @unknown default:
            return "not the expected shape"
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        "$" + keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }
}
