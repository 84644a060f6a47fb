public import Foundation

/// How every case store writes the parts of a case it keeps as text, so that SQLite and PostgreSQL files hold the
/// same forms (and a database copied from one to the other reads back the same).
public enum CaseStorageForm {
    /// A stored request without its body, which has a column of its own: stored as JSON.
    public struct RequestHead: Codable, Sendable {
        public var method: String
        public var target: String
        public var headers: [StoredRequest.Header]
        public var receivedAt: Date
        public var signedAt: Date?

        public init(_ request: StoredRequest) {
            method = request.method
            target = request.target
            headers = request.headers
            receivedAt = request.receivedAt
            signedAt = request.signedAt
        }

        /// The request again, with its body.
        public func request(body: [UInt8]) -> StoredRequest {
            StoredRequest(
                method: method, target: target, headers: headers, body: body, receivedAt: receivedAt, signedAt: signedAt)
        }
    }

    /// Words between spaces, with a space at each end, so that a search for `' word '` finds whole words (rule ids,
    /// tags, languages); words that contain a space are left out.
    public static func words(_ values: [String]) -> String {
        " " + values.filter { !$0.contains(" ") }.joined(separator: " ") + " "
    }

    /// The kind and key a note's subject is stored under.
    public static func key(_ subject: CaseNote.Subject) -> (kind: String, key: String) {
        switch subject {
        case .reviewCase(let id): ("case", String(id))
        case .actor(let id): ("actor", id)
        case .domain(let host): ("domain", host.lowercased())
        }
    }
}
