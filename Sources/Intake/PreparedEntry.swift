public import ActivityPub

/// An input entry after a replay worker's order-independent work: where it came from and either what the
/// in-order stage needs (`Ready`) or why it could not be read. A class, so batches move between the pipeline's
/// stages by reference.
public final class PreparedEntry<Ready: Sendable>: Sendable {
    public let source: String
    /// The envelope's `id` when there is one.
    public let id: String?
    public let payload: Result<Ready, ActivityPubError>

    public init(source: String, id: String?, payload: Result<Ready, ActivityPubError>) {
        self.source = source
        self.id = id
        self.payload = payload
    }
}
