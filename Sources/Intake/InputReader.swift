public import ActivityPub
import Reputation
import ReviewQueue
import Foundation

/// Items of replayed input (`herdwatch check`, `backtest`, `herdwatch-bench stream`; see `InputBatches` for
/// how it is read): each an `Envelope`, read by the same parser as the hook's bodies.
public enum InputReader {
    public struct Item: Sendable {
        /// `file` or `file:line`, for messages.
        public var source: String
        /// The envelope's `id` when there is one.
        public var id: String?
        public var payload: Result<Envelope, ActivityPubError>
    }

    /// The item a parsed JSON value is; `body` is the bytes it was parsed from.
    public static func item(_ value: JSONValue, source: String, body: [UInt8]) -> Item {
        do {
            let envelope = try Envelope.parse(value, bytes: body)
            return Item(source: source, id: envelope.id, payload: .success(envelope))
        } catch {
            return Item(source: source, id: error.id, payload: .failure(error.error))
        }
    }
}

extension Assessor {
    /// A replayed item, normalised: the envelope's stated signature counts, else `verified` (a recording of what
    /// the server accepted) unless `unverified`; it counts at its `published` time. Pass the subject to
    /// `prepare(_:subject:)` of each assessor that replays it.
    public static func replay(_ envelope: Envelope, defaultActor: Actor?, unverified: Bool) -> (input: Input, subject: Subject) {
        let actor = envelope.actor ?? defaultActor
        let subject = Normalizer.subject(for: envelope.activity, actor: actor)
        let status = envelope.statedSignature ?? (unverified ? .unsigned : .verified)
        let input = Input(
            activity: envelope.activity, actor: actor, body: envelope.body,
            provenance: Provenance(stated: status, actorID: envelope.activity.actorID), source: .hook,
            at: subject.published ?? Date())
        return (input, subject)
    }

    /// `replay` and `prepare` in one, for a replay with one assessor.
    public func prepare(replaying envelope: Envelope, defaultActor: Actor?, unverified: Bool) -> Prepared {
        let (input, subject) = Self.replay(envelope, defaultActor: defaultActor, unverified: unverified)
        return prepare(input, subject: subject)
    }
}
