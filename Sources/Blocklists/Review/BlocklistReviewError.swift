/// Why an apply, dismissal or undo was refused. The message names the domain or batch and what to do; never a
/// comment.
public struct BlocklistReviewError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// A domain's entry changed after the draft or batch was computed.
        case changed
        /// No draft for the domain, or no such batch.
        case notFound
        /// The selection includes a held mass retraction and the confirmation was not given.
        case unconfirmedMassRetraction
        /// The selection holds no draft.
        case nothingSelected
    }

    public let code: Code
    public let message: String
    /// The domain the error is about, when one.
    public let domain: String?

    public init(_ code: Code, _ message: String, domain: String? = nil) {
        self.code = code
        self.message = message
        self.domain = domain
    }

    public var description: String { message }
}
