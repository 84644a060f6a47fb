import Foundation

/// Every list format the tools admins use already read and write.
public enum BlocklistFormat: String, Sendable, Hashable, CaseIterable {
    /// Mastodon's admin export and import: `#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate`.
    case mastodonCSV = "mastodon-csv"
    /// FediBlockHole's CSV: plain header names, `True`/`False`, CRLF, sorted by domain.
    case fediBlockHoleCSV = "fediblockhole-csv"
    /// FediBlockHole's JSON: a list of objects shaped like Mastodon's admin API (also reads the public API's
    /// `comment`).
    case fediBlockHoleJSON = "fediblockhole-json"
    /// RapidBlock's `blocks` object; `isBlocked: false` is a retraction.
    case rapidBlockJSON = "rapidblock-json"
    /// GoToSocial's CSV: Mastodon's six columns exactly; suspensions only, as GoToSocial applies nothing else.
    case goToSocialCSV = "gotosocial-csv"
    /// GoToSocial's JSON, `[{domain, public_comment, obfuscate}]`: suspensions only, since GoToSocial reads every
    /// entry as one.
    case goToSocialJSON = "gotosocial-json"
    /// One domain per line; `#` starts a comment line. Read as suspensions.
    case plainText = "text"

    /// The format `text` is written in, from its first bytes; nil when it is none of them. Mastodon's six-column
    /// CSV is read as `mastodonCSV` (GoToSocial's is the same file), a JSON list with `severity` as
    /// `fediBlockHoleJSON` and one without as `goToSocialJSON`, an empty text as `plainText`.
    public static func detect(_ text: String) -> BlocklistFormat? {
        var body = Substring(text)
        if body.hasPrefix("\u{FEFF}") { body = body.dropFirst() }
        body = body.drop { $0.isWhitespace }
        if body.hasPrefix("{") { return body.contains("\"blocks\"") ? .rapidBlockJSON : nil }
        if body.hasPrefix("[") {
            guard let close = body.firstIndex(of: "}") else { return .goToSocialJSON }
            return body[..<close].contains("\"severity\"") ? .fediBlockHoleJSON : .goToSocialJSON
        }
        let firstLine = body.prefix { $0 != "\n" && $0 != "\r" }.lowercased()
        if firstLine.hasPrefix("#domain") { return .mastodonCSV }
        let names = firstLine.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if names.first == "domain" { return .fediBlockHoleCSV }
        let firstDomain = body.split(whereSeparator: \.isNewline).first { line in
            let line = line.trimmingCharacters(in: .whitespaces)
            return !line.isEmpty && !line.hasPrefix("#")
        }
        // Blank or only comments: read as text, which then reports the empty list.
        guard let firstDomain else { return .plainText }
        return firstDomain.contains(",") ? nil : .plainText
    }

    /// The media type a published copy is served with.
    public var mediaType: String {
        switch self {
        case .mastodonCSV, .fediBlockHoleCSV, .goToSocialCSV: "text/csv"
        case .fediBlockHoleJSON, .rapidBlockJSON, .goToSocialJSON: "application/json"
        case .plainText: "text/plain"
        }
    }
}
