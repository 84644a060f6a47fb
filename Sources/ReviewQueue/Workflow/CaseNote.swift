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
