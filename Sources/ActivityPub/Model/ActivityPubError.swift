/// Why a payload could not be read as an activity or actor.
public struct ActivityPubError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        /// The body is not valid JSON; `jsonError` says why.
        case invalidJSON
        /// The top level is not a JSON object.
        case notAnObject
        /// A required property is missing or has the wrong type.
        case missingField
    }

    public let code: Code
    /// JSONPath of the problem, e.g. `$.type`.
    public let path: String
    /// What went wrong and how to fix it. Never quotes post text.
    public let message: String
    /// The parser's error when `code` is `.invalidJSON`.
    public let jsonError: JSONParseError?

    public init(code: Code, path: String, message: String, jsonError: JSONParseError? = nil) {
        self.code = code
        self.path = path
        self.message = message
        self.jsonError = jsonError
    }

    init(_ jsonError: JSONParseError) {
        self.init(
            code: .invalidJSON, path: jsonError.path,
            message: "body is not valid JSON: \(jsonError.description)", jsonError: jsonError)
    }

    public var description: String { "ActivityPub \(code.rawValue) at \(path): \(message)" }
}
