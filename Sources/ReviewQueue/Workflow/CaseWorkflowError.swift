/// Why a command on a case was refused. The server maps `code` to an HTTP status; the message says what to do.
public struct CaseWorkflowError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// There is no such case, note subject or proposal.
        case notFound = "not_found"
        /// The command names a version the case has left behind: someone else changed it.
        case staleVersion = "stale_version"
        /// Someone else holds a live lease on the case.
        case leasedElsewhere = "leased_elsewhere"
        /// The case's state does not allow the move (deciding a closed case, reopening an open one).
        case badTransition = "bad_transition"
        /// The reason code is not in the configured list.
        case badReason = "bad_reason"
        /// The decision itself does not hold together (no action, approve and reject at once).
        case badDecision = "bad_decision"
        /// The principal lacks the permission the command needs.
        case forbidden
    }

    public var code: Code
    public var message: String
    public var caseID: Int64?
    /// For `staleVersion`: the case's version now.
    public var currentVersion: Int?

    public init(_ code: Code, _ message: String, caseID: Int64? = nil, currentVersion: Int? = nil) {
        self.code = code
        self.message = message
        self.caseID = caseID
        self.currentVersion = currentVersion
    }

    public var description: String { message }

    public static func notFound(_ id: Int64) -> Self {
        Self(.notFound, "there is no case \(id)", caseID: id)
    }
}
