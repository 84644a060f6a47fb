public import ActivityPub
public import Foundation

extension RuleEngine {
    /// The whole path: activity bytes (and optionally the actor document) to a verdict.
    public func evaluate(
        activity bytes: [UInt8], actor actorBytes: [UInt8]? = nil, signals: any Signals = InMemorySignals(),
        now: Date = Date()
    ) throws(ActivityPubError) -> Verdict {
        let activity = try Activity.decode(bytes)
        let actor = try actorBytes.map { bytes throws(ActivityPubError) in try Actor.decode(bytes) }
        return evaluate(Normalizer.subject(for: activity, actor: actor, now: now), signals: signals)
    }
}
