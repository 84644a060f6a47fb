import Foundation

/// RFC 7231 IMF-fixdate (`Tue, 20 Feb 2024 10:00:00 GMT`), the only `Date` form Mastodon sends.
enum HTTPDate {
    static func format(_ date: Date) -> String { formatter().string(from: date) }

    static func parse(_ text: String) -> Date? { formatter().date(from: text.trimmingCharacters(in: .whitespaces)) }

    /// A new formatter per call: `DateFormatter` is not `Sendable`, and signing is not hot enough to share one.
    private static func formatter() -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter
    }
}
