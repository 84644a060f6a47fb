/// A database problem, said so a person can act on it. Never includes SQL arguments or stored content.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case cannotOpen
        case locked
        case full
        case corrupt
        case newerSchema
        case readOnly
        case failed
    }

    public var code: Code
    public var message: String
    public var path: String

    public init(code: Code, message: String, path: String) {
        self.code = code
        self.message = message
        self.path = path
    }

    public var description: String { "\(path): \(message)" }
}
