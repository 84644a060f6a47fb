/// Why a PostgreSQL store could not do what was asked: what failed, and how to fix it. Never carries a password.
public struct PostgresStoreError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The `postgres://` URL is not one we can use.
        case invalidURL
        /// The server could not be reached or refused us.
        case cannotConnect
        /// A schema change failed.
        case migration
        /// A query failed.
        case failed
    }

    public var code: Code
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
