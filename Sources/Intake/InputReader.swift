public import ActivityPub
public import Reputation

/// Items of replayed input (`herdwatch check`, `backtest`, `herdwatch-bench stream`; see `InputBatches` for
/// how it is read): activities or envelopes.
public enum InputReader {
    public struct Input: Sendable {
        public var activity: Activity
        public var actor: Actor?
        /// The envelope's `signature` status, when it states one.
        public var signature: SignatureStatus?
        /// The activity's bytes, kept as evidence when it is held or flagged.
        public var body: [UInt8]?
    }

    public struct Item: Sendable {
        /// `file` or `file:line`, for messages.
        public var source: String
        /// The envelope's `id` when there is one.
        public var id: String?
        public var payload: Result<Input, ActivityPubError>
    }

    /// The item a parsed JSON value is: an envelope with its activity, or a bare activity.
    public static func item(_ value: JSONValue, source: String, body: [UInt8]? = nil) -> Item {
        if let envelope = value.objectValue, envelope["type"] == nil, let activity = envelope["activity"] {
            let id = envelope["id"]?.stringValue
            do {
                let parsed = try Activity(json: activity)
                let actor = try envelope["actor"].flatMap { json throws(ActivityPubError) -> Actor? in
                    json.objectValue == nil ? nil : try Actor(json: json)
                }
                let signature = envelope["signature"]?.stringValue.flatMap(SignatureStatus.init(rawValue:))
                return Item(source: source, id: id, payload: .success(Input(activity: parsed, actor: actor, signature: signature, body: body)))
            } catch {
                return Item(source: source, id: id, payload: .failure(error))
            }
        }
        do {
            return Item(
                source: source, id: nil,
                payload: .success(Input(activity: try Activity(json: value), actor: nil, signature: nil, body: body)))
        } catch {
            return Item(source: source, id: value["id"]?.stringValue, payload: .failure(error))
        }
    }
}
