/// Why a JSON document was rejected, and where.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        case empty
        case tooLarge
        case tooDeep
        case invalidUTF8
        case syntax
    }

    public let code: Code
    /// Offset of the offending byte from the start of the document.
    public let offset: Int
    /// 1-based line of `offset`.
    public let line: Int
    /// 1-based column of `offset`, counted in bytes.
    public let column: Int
    /// JSONPath of the value being parsed, e.g. `$.object.tag[3].href`.
    public let path: String
    /// What went wrong and how to fix it. Never quotes document content.
    public let message: String

    public init(code: Code, offset: Int, line: Int, column: Int, path: String, message: String) {
        self.code = code
        self.offset = offset
        self.line = line
        self.column = column
        self.path = path
        self.message = message
    }

    public var description: String {
        "JSON \(code.rawValue) at \(path) (byte \(offset), line \(line), column \(column)): \(message)"
    }
}
