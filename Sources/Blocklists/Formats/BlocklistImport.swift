import ActivityPub
import Foundation

/// A list read from a file: the entries that can be applied and every row that cannot, with where and why.
/// Nothing is dropped silently; the caller decides, with the rejections in view, whether to apply the entries.
public struct BlocklistImport: Sendable {
    public let format: BlocklistFormat
    /// Normalised, one per domain, in file order.
    public let entries: [DomainBlock]
    /// Every refused row, each with its location and reason.
    public let rejections: [BlocklistError]

    /// Reads `text` in `format` (detected when nil). Each entry's domain is normalised and checked against
    /// `policy`; `provenance` is stamped on every entry.
    ///
    /// Throws when the format cannot be detected, when the file as a whole is not in it (no header, not JSON),
    /// and when no row is usable: an empty list is refused, because applying it would remove every block.
    public init(
        parsing text: String, format: BlocklistFormat? = nil, policy: DomainPolicy = .unrestricted,
        provenance: BlockProvenance? = nil
    ) throws(BlocklistError) {
        guard let format = format ?? BlocklistFormat.detect(text) else {
            throw BlocklistError(
                .unknownFormat,
                "the list's format cannot be recognised (not CSV with a domain header, JSON or one domain per line); "
                    + "name it with --format")
        }
        let rows: [Row]
        switch format {
        case .mastodonCSV: rows = try Self.csvRows(text, format: format, emptySeverity: .suspend)
        case .fediBlockHoleCSV: rows = try Self.csvRows(text, format: format, emptySeverity: .noop)
        case .goToSocialCSV: rows = try Self.csvRows(text, format: format, emptySeverity: .suspend)
        case .fediBlockHoleJSON, .goToSocialJSON: rows = try Self.jsonListRows(text, format: format)
        case .rapidBlockJSON: rows = try Self.rapidBlockRows(text)
        case .plainText: rows = Self.plainTextRows(text)
        }

        var entries: [DomainBlock] = []
        var rejections: [BlocklistError] = []
        var seen: [String: Location] = [:]
        for row in rows {
            do throws(BlocklistError) {
                var entry = try row.entry.get()
                entry.domain = try policy.validate(entry.domain)
                if let first = seen[entry.domain] {
                    throw BlocklistError(
                        .duplicate, "`\(entry.domain)` is listed again (first at \(first)); keep one row for it")
                }
                seen[entry.domain] = row.location
                entry.provenance = provenance
                entries.append(entry)
            } catch {
                rejections.append(error.at(row.location))
            }
        }
        guard !entries.isEmpty else {
            let reason = rejections.isEmpty ? "it has no entries" : "all \(rejections.count) rows were refused"
            throw BlocklistError(
                .emptyList,
                "the \(format.rawValue) list has no usable entry (\(reason)); an empty list is never applied, "
                    + "since it would remove every block")
        }
        self.format = format
        self.entries = entries
        self.rejections = rejections
    }

    public typealias Location = BlocklistError.Location

    private struct Row {
        var location: Location
        /// The entry with its domain as written.
        var entry: Result<DomainBlock, BlocklistError>
    }

    // MARK: CSV

    private static let mastodonColumns = [
        "domain", "severity", "reject_media", "reject_reports", "public_comment", "obfuscate",
    ]

    private static func csvRows(
        _ text: String, format: BlocklistFormat, emptySeverity: BlockSeverity
    ) throws(BlocklistError) -> [Row] {
        let table = try CSVTable(parsing: text)
        guard let header = table.records.first else {
            throw BlocklistError(.emptyList, "the \(format.rawValue) file is empty; an empty list is never applied")
        }
        let names = header.fields.map { name in
            var name = Substring(name.trimmingCharacters(in: .whitespaces).lowercased())
            while name.first == "#" { name = name.dropFirst() }
            return name == "comment" ? "public_comment" : String(name)
        }
        guard let domainColumn = names.firstIndex(of: "domain") else {
            throw BlocklistError(
                .malformedList,
                "the header on line \(header.line) has no `domain` column; the first line of a \(format.rawValue) "
                    + "file names its columns", location: .line(header.line))
        }
        if format == .goToSocialCSV, names != mastodonColumns {
            throw BlocklistError(
                .malformedList,
                "GoToSocial reads exactly the six columns #domain,#severity,#reject_media,#reject_reports,"
                    + "#public_comment,#obfuscate; write that header", location: .line(header.line))
        }
        let column = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })

        return table.records.dropFirst().map { record in
            Row(
                location: .line(record.line),
                entry: Result { () throws(BlocklistError) -> DomainBlock in
                    if format == .goToSocialCSV, record.fields.count != 6 {
                        throw BlocklistError(
                            .malformedList,
                            "the row has \(record.fields.count) fields; GoToSocial reads rows of exactly six")
                    }
                    if record.fields.count > names.count {
                        throw BlocklistError(
                            .malformedList,
                            "the row has \(record.fields.count) fields but the header names \(names.count); "
                                + "quote fields that contain commas")
                    }
                    func field(_ name: String) -> String? {
                        guard let index = column[name], index < record.fields.count else { return nil }
                        return record.fields[index]
                    }
                    // A list of domains alone blocks them; an empty severity is the format's own default.
                    let severity =
                        try column["severity"] == nil ? .suspend : severity(field("severity"), empty: emptySeverity)
                    if format == .goToSocialCSV, severity != .suspend {
                        throw BlocklistError(
                            .invalidField, "severity `\(severity.rawValue)`: GoToSocial applies only suspend rows")
                    }
                    return DomainBlock(
                        domain: record.fields[domainColumn],
                        severity: severity,
                        rejectMedia: try flag(field("reject_media"), named: "reject_media"),
                        rejectReports: try flag(field("reject_reports"), named: "reject_reports"),
                        privateComment: format == .fediBlockHoleCSV ? field("private_comment") ?? "" : "",
                        publicComment: field("public_comment") ?? "",
                        obfuscate: try flag(field("obfuscate"), named: "obfuscate"))
                })
        }
    }

    /// `noop`, `silence` or `suspend` (any case); an empty or missing field is `empty`.
    private static func severity(_ text: String?, empty: BlockSeverity) throws(BlocklistError) -> BlockSeverity {
        let text = (text ?? "").trimmingCharacters(in: .whitespaces)
        if text.isEmpty { return empty }
        guard let severity = BlockSeverity(rawValue: text.lowercased()) else {
            throw BlocklistError(
                .invalidField, "severity `\(text.prefix(20))` is not one of noop, silence, suspend")
        }
        return severity
    }

    /// The spellings FediBlockHole's `str2bool` and Go's `ParseBool` read; empty is false.
    private static func flag(_ text: String?, named name: String) throws(BlocklistError) -> Bool {
        switch (text ?? "").trimmingCharacters(in: .whitespaces).lowercased() {
        case "true", "t", "1", "y", "yes": return true
        case "", "false", "f", "0", "n", "no": return false
        default:
            throw BlocklistError(
                .invalidField, "\(name) `\((text ?? "").prefix(20))` is not a Boolean; write true or false")
        }
    }

    // MARK: JSON

    private static let jsonLimits = JSONLimits(maxDepth: 8, maxBytes: 512 << 20)

    private static func parseJSON(_ text: String, format: BlocklistFormat) throws(BlocklistError) -> JSONValue {
        do {
            return try JSONValue.parse(text, limits: jsonLimits)
        } catch {
            throw BlocklistError(.malformedList, "the \(format.rawValue) file is not valid JSON: \(error)")
        }
    }

    private static func jsonListRows(_ text: String, format: BlocklistFormat) throws(BlocklistError) -> [Row] {
        guard let elements = try parseJSON(text, format: format).arrayValue else {
            throw BlocklistError(
                .malformedList, "a \(format.rawValue) file is a JSON list of objects, `[{\"domain\": …}, …]`")
        }
        return elements.enumerated().map { offset, element in
            Row(
                location: .entry(offset + 1),
                entry: Result { () throws(BlocklistError) -> DomainBlock in
                    guard let object = element.objectValue, let domain = object["domain"]?.stringValue else {
                        throw BlocklistError(.malformedList, "the entry is not an object with a string `domain`")
                    }
                    func text(_ name: String) throws(BlocklistError) -> String {
                        guard let value = object[name], !value.isNull else { return "" }
                        guard let string = value.stringValue else {
                            throw BlocklistError(.invalidField, "`\(name)` is not a string")
                        }
                        return string
                    }
                    func flag(_ name: String) throws(BlocklistError) -> Bool {
                        guard let value = object[name], !value.isNull else { return false }
                        guard let flag = value.boolValue else {
                            throw BlocklistError(.invalidField, "`\(name)` is not a JSON Boolean")
                        }
                        return flag
                    }
                    let publicComment =
                        object["public_comment"] != nil ? try text("public_comment") : try text("comment")
                    if format == .goToSocialJSON {
                        return DomainBlock(
                            domain: domain, severity: .suspend, publicComment: publicComment,
                            obfuscate: try flag("obfuscate"))
                    }
                    return DomainBlock(
                        domain: domain,
                        severity: try severity(try text("severity"), empty: .noop),
                        rejectMedia: try flag("reject_media"),
                        rejectReports: try flag("reject_reports"),
                        privateComment: try text("private_comment"),
                        publicComment: publicComment,
                        obfuscate: try flag("obfuscate"))
                })
        }
    }

    private static func rapidBlockRows(_ text: String) throws(BlocklistError) -> [Row] {
        guard let blocks = try parseJSON(text, format: .rapidBlockJSON)["blocks"]?.objectValue else {
            throw BlocklistError(
                .malformedList, "a RapidBlock file is a JSON object whose `blocks` maps domains to their block")
        }
        return blocks.enumerated().map { offset, member in
            Row(
                location: .entry(offset + 1),
                entry: Result { () throws(BlocklistError) -> DomainBlock in
                    guard let block = member.value.objectValue else {
                        throw BlocklistError(.malformedList, "the block is not a JSON object")
                    }
                    guard let isBlocked = block["isBlocked"]?.boolValue else {
                        throw BlocklistError(.invalidField, "`isBlocked` is missing or not a JSON Boolean")
                    }
                    let tags = (block["tags"]?.arrayValue ?? []).compactMap(\.stringValue)
                    return DomainBlock(
                        domain: member.key,
                        severity: .suspend,
                        publicComment: block["reason"]?.stringValue ?? "",
                        reasons: Set(tags.compactMap(BlockReason.init(tag:))),
                        state: isBlocked ? .active : .retracted)
                })
        }
    }

    // MARK: Plain text

    private static func plainTextRows(_ text: String) -> [Row] {
        var rows: [Row] = []
        var number = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            var domain = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if number == 1, domain.hasPrefix("\u{FEFF}") { domain.removeFirst() }
            guard !domain.isEmpty, !domain.hasPrefix("#") else { continue }
            rows.append(Row(location: .line(number), entry: .success(DomainBlock(domain: domain, severity: .suspend))))
        }
        return rows
    }
}
