public import Foundation

/// What publishing and subscribing keep beside the blocks: our signing keys, the chain of snapshots we signed,
/// the change log of the applied list, and each subscription's fetch state.
public protocol BlocklistFeedStore: Sendable {
    /// Every signing key, newest first.
    func signingKeys() async throws -> [BlocklistSigningKey]

    /// Inserts or replaces keys by id, in one transaction.
    func saveSigningKeys(_ keys: [BlocklistSigningKey]) async throws

    /// The snapshot to serve now: the last one signed when it still states our publishable entries, is signed by
    /// the keys valid now, and has more than half its validity left; otherwise a new one, the next in the chain.
    /// Nil when there is no signing key.
    func publishedSnapshot(publisher: String, validity: TimeInterval, now: Date) async throws -> PublishedSnapshot?

    /// The snapshot with `sequence`, as it was signed; nil when there is none.
    func publishedSnapshot(sequence: Int) async throws -> PublishedSnapshot?

    /// Changes to our publishable entries after `cursor` (0 for all), oldest first, at most `limit`.
    func changes(after cursor: Int, limit: Int) async throws -> [PublishedChange]

    /// What the last fetch of subscription `id` left; empty when never fetched.
    func fetchState(subscriptionID id: String) async throws -> BlocklistFetchState

    func saveFetchState(_ state: BlocklistFetchState) async throws
}

/// A signed snapshot as served, with the keys that signed it (they also sign the detached signatures).
public struct PublishedSnapshot: Sendable {
    public var snapshot: BlocklistSnapshot
    /// The `SignedEnvelope` bytes.
    public var envelope: Data
    public var keys: [BlocklistSigningKey]

    public init(snapshot: BlocklistSnapshot, envelope: Data, keys: [BlocklistSigningKey]) {
        self.snapshot = snapshot
        self.envelope = envelope
        self.keys = keys
    }
}

/// One change of our published list, as the change feed lists it.
public struct PublishedChange: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case added
        case changed
        case retracted
    }

    /// Pass as `after` to read what came later.
    public var cursor: Int
    public var kind: Kind
    /// The entry as it was after the change (no private comment, no evidence).
    public var block: DomainBlock
    public var at: Date

    public init(cursor: Int, kind: Kind, block: DomainBlock, at: Date) {
        self.cursor = cursor
        self.kind = kind
        self.block = block
        self.at = at
    }
}

/// What the fetches of one subscription left.
public struct BlocklistFetchState: Sendable, Hashable {
    public var subscriptionID: String
    /// Validators of the last 200 answer, for the next conditional request.
    public var etag: String?
    public var lastModified: String?
    /// The last signed snapshot accepted.
    public var checkpoint: BlocklistFeedCheckpoint?
    public var lastAttempt: Date?
    public var lastSuccess: Date?
    /// Why the last fetch was refused or failed; nil after a success.
    public var lastError: String?
    /// How many entries the subscription carries since its last success.
    public var entryCount: Int

    public init(
        subscriptionID: String, etag: String? = nil, lastModified: String? = nil,
        checkpoint: BlocklistFeedCheckpoint? = nil, lastAttempt: Date? = nil, lastSuccess: Date? = nil,
        lastError: String? = nil, entryCount: Int = 0
    ) {
        self.subscriptionID = subscriptionID
        self.etag = etag
        self.lastModified = lastModified
        self.checkpoint = checkpoint
        self.lastAttempt = lastAttempt
        self.lastSuccess = lastSuccess
        self.lastError = lastError
        self.entryCount = entryCount
    }
}
