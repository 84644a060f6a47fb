/// Durable storage of the applied list and of each subscription's last fetched list. Implementations commit before
/// returning. Every call is async, so that one waiting on a disk or a lock suspends its task instead of blocking
/// a thread.
public protocol BlocklistStore: Sendable {
    /// Every applied entry, active and retracted, sorted by domain.
    func blocks() async throws -> [DomainBlock]

    /// The entry for exactly `domain` (normalised), active or retracted.
    func block(domain: String) async throws -> DomainBlock?

    /// Inserts `block`, or replaces the entry for its domain, whose revision it then follows (one higher).
    /// Returns the entry as stored.
    @discardableResult
    func save(_ block: DomainBlock) async throws -> DomainBlock

    /// Marks the entry for `domain` retracted (a new revision, `provenance` saying who and why) and returns it;
    /// nil when there is no active entry for it. The entry is kept, so the retraction can be published.
    @discardableResult
    func retract(domain: String, provenance: BlockProvenance) async throws -> DomainBlock?

    /// The entries subscription `id` carried when last fetched; empty when never fetched.
    func subscriptionEntries(id: String) async throws -> [DomainBlock]

    /// Replaces what subscription `id` carries.
    func saveSubscriptionEntries(id: String, _ entries: [DomainBlock]) async throws

    /// Every subscription, sorted by id.
    func subscriptions() async throws -> [BlocklistSubscription]

    /// The subscription `id`; nil when there is none.
    func subscription(id: String) async throws -> BlocklistSubscription?

    /// Inserts `subscription`, or replaces the one with its id.
    func saveSubscription(_ subscription: BlocklistSubscription) async throws

    /// Removes subscription `id` and what it carried; false when there was none.
    @discardableResult
    func removeSubscription(id: String) async throws -> Bool
}
