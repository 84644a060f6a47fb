/// A refused change to accounts or tokens, said so the person can act on it. Never includes a password.
public struct AccessError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// No account has that id or name.
        case unknownAccount
        /// The password cannot be used (empty, too long for bcrypt, or with a NUL character).
        case unacceptablePassword
        /// The change would leave no enabled admin, and so nobody who can manage users.
        case lastAdmin
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    public static func unknownAccount(id: Int64) -> AccessError {
        AccessError(.unknownAccount, "there is no account with id \(id); see `herdwatch user list`")
    }

    public static func unknownAccount(username: String) -> AccessError {
        AccessError(.unknownAccount, "there is no user named \(username); see `herdwatch user list`")
    }
}
