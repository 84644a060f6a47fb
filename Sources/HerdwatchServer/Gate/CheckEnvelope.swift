public import ActivityPub
public import Reputation

/// What `POST /api/v1/check` accepts: a bare activity, or the envelope `herdwatch check` reads,
/// `{"id": …, "activity": {…}, "actor": {…}, "headers": {…}, "signature": "verified"|"unsigned"|"failed"}`.
///
/// To have Herdwatch verify the original delivery's signature itself, send `headers` (the original request
/// headers, including `Signature`) with `body` (the original request body as a string, in place of
/// `activity`) and optionally `method` (default `POST`) and `path` (default `/inbox`).
public struct CheckEnvelope: Sendable {
    public var id: String?
    public var activity: Activity
    public var actor: Actor?
    /// The signature status the caller vouches for (it verified the delivery itself).
    public var statedSignature: SignatureStatus?
    /// The original delivery, when the caller wants Herdwatch to verify its signature.
    public var originalRequest: SignedRequest?
    public var body: [UInt8]

    public static func parse(_ bytes: [UInt8]) throws(GateError) -> CheckEnvelope {
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes)
        } catch {
            throw GateError(.badActivity, "not valid JSON at \(error.path): \(error.description)")
        }
        guard let object = value.objectValue else {
            throw GateError(.badActivity, "expected a JSON object (an activity or an envelope) at $")
        }
        let isEnvelope = object["type"] == nil && (object["activity"] != nil || object["body"] != nil)
        guard isEnvelope else {
            do {
                return CheckEnvelope(id: nil, activity: try Activity(json: value), actor: nil, statedSignature: nil, originalRequest: nil, body: bytes)
            } catch {
                throw GateError(.badActivity, error.description)
            }
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
                throw GateError(.badActivity, "the envelope's body is not valid JSON at \(error.path): \(error.description)")
            }
        } else {
            throw GateError(.badActivity, "the envelope's body must be a string holding the original request body, at $.body")
        }
        let activity: Activity
        let actor: Actor?
        do {
            activity = try Activity(json: activityJSON)
            actor = try object["actor"].flatMap { json throws(ActivityPubError) -> Actor? in
                json.objectValue == nil ? nil : try Actor(json: json)
            }
        } catch {
            throw GateError(.badActivity, error.description)
        }
        var stated: SignatureStatus?
        if let text = object["signature"]?.stringValue {
            guard let status = SignatureStatus(rawValue: text) else {
                throw GateError(.badActivity, "the envelope's signature must be verified, unsigned or failed, at $.signature")
            }
            stated = status
        }
        var original: SignedRequest?
        if let headers = object["headers"]?.objectValue, object["body"] != nil {
            var fields = SignedRequest.Headers()
            for (name, value) in headers {
                switch value {
                case .string(let text): fields.add(name, text)
                case .array(let values): for case .string(let text) in values { fields.add(name, text) }
                default: throw GateError(.badActivity, "header values must be strings, at $.headers.\(name)")
                }
            }
            original = SignedRequest(
                method: object["method"]?.stringValue ?? "POST", path: object["path"]?.stringValue ?? "/inbox", headers: fields,
                body: body)
        }
        return CheckEnvelope(
            id: object["id"]?.stringValue, activity: activity, actor: actor, statedSignature: stated, originalRequest: original,
            body: body)
    }
}
