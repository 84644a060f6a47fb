public import Foundation

/// A note by a moderator on a case, an actor or a domain. Notes on an actor or domain show on every later case
/// about them.
public struct CaseNote: Sendable, Hashable, Codable, Identifiable {
    public enum Subject: Sendable, Hashable, Codable {
        case reviewCase(Int64)
        /// An actor id.
        case actor(String)
        /// A host.
        case domain(String)
    }

    public var id: Int64
    public var subject: Subject
    public var at: Date
    public var author: String
    public var accountID: Int64?
    public var text: String

    public init(id: Int64, subject: Subject, at: Date, author: String, accountID: Int64?, text: String) {
        self.id = id
        self.subject = subject
        self.at = at
        self.author = author
        self.accountID = accountID
        self.text = text
    }
}

extension CaseNote.Subject {
    /// What a note written `on` `case` (the default), `actor` or `domain` of `reviewCase` is about, or why it cannot
    /// be (an unknown `on`, a case that names no actor or domain), as a message for the person writing it.
    public static func named(_ on: String?, of reviewCase: ReviewCase) -> Result<Self, NoteSubjectError> {
        switch on ?? "case" {
        case "case": return .success(.reviewCase(reviewCase.id))
        case "actor":
            guard let actor = reviewCase.subjectActor else { return .failure(.init(message: "case \(reviewCase.id) names no actor")) }
            return .success(.actor(actor))
        case "domain":
            guard let host = reviewCase.host else { return .failure(.init(message: "case \(reviewCase.id) names no domain")) }
            return .success(.domain(host))
        default: return .failure(.init(message: "a note is on the case, the actor or the domain"))
        }
    }
}

/// Why a note cannot be filed where it was asked to be.
public struct NoteSubjectError: Error, Sendable, Hashable {
    public var message: String
}
