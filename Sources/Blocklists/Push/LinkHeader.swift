import Foundation

/// RFC 8288 `Link` header values, as Mastodon's paginated admin API sends them:
/// `<https://a.example/api/v1/admin/domain_blocks?max_id=9>; rel="next", <…>; rel="prev"`.
/// The one reader of them: the push client follows `next`, and so does the admin API benchmark.
public enum LinkHeader {
    /// The target of the first link whose `rel` names `relation` (rel may list several, space-separated), across
    /// every value of the header; nil when there is none.
    public static func target(rel relation: String, in values: some Sequence<String>) -> String? {
        for value in values {
            for link in value.split(separator: ",") {
                let parts = link.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count >= 2, parts[0].hasPrefix("<"), parts[0].hasSuffix(">") else { continue }
                let names = parts.dropFirst().compactMap(relations(of:)).joined()
                if names.contains(relation) { return String(parts[0].dropFirst().dropLast()) }
            }
        }
        return nil
    }

    /// The relation names of a `rel=…` parameter, quoted or not; nil for other parameters.
    private static func relations(of parameter: String) -> [String]? {
        guard let equals = parameter.firstIndex(of: "=") else { return nil }
        guard parameter[..<equals].trimmingCharacters(in: .whitespaces).lowercased() == "rel" else { return nil }
        var value = parameter[parameter.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
        return value.lowercased().split(separator: " ").map(String.init)
    }
}
