public import ActivityPub
public import Reputation

/// An activity to assess as a caller hands it over: the hook's body, a line of `herdwatch check` or `backtest`
/// input, an entry of the demo stream. The one parser for all of them.
///
/// Either a bare activity, or an envelope:
/// `{"id": …, "activity": {…}, "actor": {…}, "signature": "verified"|"unsigned"|"failed"}`.
/// To have Herdwatch verify the original delivery's signature itself, an envelope carries `headers` (the original
/// request headers, including `Signature`) and `body` (the original request body as a string) in place of
/// `activity`, and optionally `method` (default `POST`) and `path` (default `/inbox`).
/// A labelled evaluation stream (`herdwatch eval`) adds `"label": "spam"|"ham"` and `"slice": NAME`.
public struct Envelope: Sendable {
    /// The envelope's `id`: the caller's name for the item, echoed in verdicts.
    public var id: String?
    public var activity: Activity
    public var actor: Actor?
    /// The signature status the caller vouches for (it verified the delivery itself, or recorded it).
    public var statedSignature: SignatureStatus?
    /// The original delivery, when the caller wants Herdwatch to verify its signature.
    public var originalRequest: SignedRequest?
    /// The bytes the activity came as.
    public var body: [UInt8]
    /// What a labelled evaluation stream says the item is; nil when the envelope has no `label`.
    public var label: Label?

    /// The truth about an item of a labelled evaluation stream, and the part of the stream it belongs to.
    public struct Label: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable, CaseIterable {
            case spam
            case ham
        }

        public var kind: Kind
        /// The envelope's `slice` (e.g. `wave-2019-replies/test`); the kind's name when it has none.
        public var slice: String

        public init(kind: Kind, slice: String) {
            self.kind = kind
            self.slice = slice
        }
    }

    public init(
        id: String? = nil, activity: Activity, actor: Actor? = nil, statedSignature: SignatureStatus? = nil,
        originalRequest: SignedRequest? = nil, body: [UInt8], label: Label? = nil
    ) {
        self.id = id
        self.activity = activity
        self.actor = actor
        self.statedSignature = statedSignature
        self.originalRequest = originalRequest
        self.body = body
        self.label = label
    }

    /// Parses `bytes`, which hold one JSON document.
    public static func parse(_ bytes: [UInt8]) throws(EnvelopeError) -> Envelope {
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes)
        } catch {
            throw EnvelopeError(
                id: nil,
                ActivityPubError(
                    code: .invalidJSON, path: error.path, message: "not valid JSON: \(error.description)",
                    jsonError: error))
        }
        return try parse(value, bytes: bytes)
    }

    /// Reads a parsed document; `bytes` are the bytes it was parsed from.
    public static func parse(_ value: JSONValue, bytes: [UInt8]) throws(EnvelopeError) -> Envelope {
        guard let object = value.objectValue else {
            throw EnvelopeError(
                id: nil,
                ActivityPubError(
                    code: .notAnObject, path: "$", message: "expected a JSON object (an activity or an envelope)"))
        }
        let isEnvelope = object["type"] == nil && (object["activity"] != nil || object["body"] != nil)
        guard isEnvelope else {
            do {
                return Envelope(activity: try Activity(json: value), body: bytes)
            } catch {
                throw EnvelopeError(id: object["id"]?.stringValue, error)
            }
        }
        let id = object["id"]?.stringValue
        func failure(_ path: String, _ message: String) -> EnvelopeError {
            EnvelopeError(id: id, ActivityPubError(code: .missingField, path: path, message: message))
        }
        var body = bytes
        let activityJSON: JSONValue
        if let activity = object["activity"] {
            activityJSON = activity
        } else if let raw = object["body"]?.stringValue {
            body = Array(raw.utf8)
            do {
                activityJSON = try JSONValue.parse(body)
            } catch {
                throw EnvelopeError(
                    id: id,
                    ActivityPubError(
                        code: .invalidJSON, path: "$.body",
                        message: "the envelope's body is not valid JSON at \(error.path): \(error.description)",
                        jsonError: error))
            }
        } else {
            throw failure("$.body", "the envelope's body must be a string holding the original request body")
        }
        let activity: Activity
        let actor: Actor?
        do {
            activity = try Activity(json: activityJSON)
            actor = try object["actor"].flatMap { json throws(ActivityPubError) -> Actor? in
                json.objectValue == nil ? nil : try Actor(json: json)
            }
        } catch {
            throw EnvelopeError(id: id, error)
        }
        var stated: SignatureStatus?
        if let field = object["signature"] {
            guard let text = field.stringValue, let status = SignatureStatus(rawValue: text) else {
                throw failure(
                    "$.signature", "the envelope's signature must be \"verified\", \"unsigned\" or \"failed\"")
            }
            stated = status
        }
        var original: SignedRequest?
        if let headers = object["headers"]?.objectValue, object["body"] != nil {
            var fields = SignedRequest.Headers()
            for (name, value) in headers {
                switch value {
                case .string(let text): fields.add(name, text)
                case .array(let values):
                    for value in values {
                        guard let text = value.stringValue else {
                            throw failure("$.headers.\(name)", "header values must be strings or arrays of strings")
                        }
                        fields.add(name, text)
                    }
                default: throw failure("$.headers.\(name)", "header values must be strings or arrays of strings")
                }
            }
            original = SignedRequest(
                method: object["method"]?.stringValue ?? "POST", path: object["path"]?.stringValue ?? "/inbox",
                headers: fields,
                body: body)
        }
        var label: Label?
        if let field = object["label"] {
            guard let text = field.stringValue, let kind = Label.Kind(rawValue: text) else {
                throw failure("$.label", "the envelope's label must be \"spam\" or \"ham\"")
            }
            var slice = kind.rawValue
            if let field = object["slice"] {
                guard let text = field.stringValue, !text.isEmpty else {
                    throw failure(
                        "$.slice", "the envelope's slice must be a non-empty string naming a part of the stream")
                }
                slice = text
            }
            label = Label(kind: kind, slice: slice)
        }
        return Envelope(
            id: id, activity: activity, actor: actor, statedSignature: stated, originalRequest: original, body: body,
            label: label)
    }
}

/// Why an item could not be read, with the envelope's `id` when it got that far.
public struct EnvelopeError: Error, Sendable, CustomStringConvertible {
    public var id: String?
    public var error: ActivityPubError

    public init(id: String?, _ error: ActivityPubError) {
        self.id = id
        self.error = error
    }

    public var description: String { error.description }
}
