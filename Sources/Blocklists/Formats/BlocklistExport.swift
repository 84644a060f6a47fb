import ActivityPub
public import Foundation

/// Writes entries in any `BlocklistFormat`, sorted by domain, so that the same list always gives the same bytes
/// (stable ETags, readable diffs).
public enum BlocklistExport {
    public struct Options: Sendable {
        /// Write private comments (FediBlockHole's formats only); off for anything published.
        public var includePrivateComments: Bool
        /// Leave out entries that came from subscriptions, so that a published list does not relay its peers'
        /// blocks back to them as its own.
        public var leaveOutSubscribed: Bool
        /// Write suspensions only (always on for GoToSocial's formats).
        public var suspendOnly: Bool
        /// RapidBlock's `publishedAt`.
        public var publishedAt: Date

        public init(
            includePrivateComments: Bool = false, leaveOutSubscribed: Bool = false, suspendOnly: Bool = false,
            publishedAt: Date = Date(timeIntervalSince1970: 0)
        ) {
            self.includePrivateComments = includePrivateComments
            self.leaveOutSubscribed = leaveOutSubscribed
            self.suspendOnly = suspendOnly
            self.publishedAt = publishedAt
        }
    }

    /// `entries` in `format`. Retracted entries are written only by RapidBlock (`isBlocked: false`); Mastodon's
    /// CSV writes only entries with limitations, as Mastodon's own export does.
    public static func render(_ entries: [DomainBlock], as format: BlocklistFormat, options: Options = Options())
        -> String
    {
        let suspendOnly = options.suspendOnly || format == .goToSocialCSV || format == .goToSocialJSON
        let chosen = entries.filter { entry in
            if options.leaveOutSubscribed, entry.provenance?.origin.isSubscription == true { return false }
            if entry.state == .retracted { return format == .rapidBlockJSON }
            if suspendOnly, entry.severity != .suspend { return false }
            if format == .mastodonCSV || format == .goToSocialCSV { return entry.hasLimitations }
            return true
        }.sorted { $0.domain.utf8.lexicographicallyPrecedes($1.domain.utf8) }
        let privateComment = { (entry: DomainBlock) in options.includePrivateComments ? entry.privateComment : "" }

        switch format {
        case .mastodonCSV, .goToSocialCSV:
            var lines = ["#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate"]
            for entry in chosen {
                lines.append(
                    CSVTable.row([
                        entry.domain, entry.severity.rawValue, "\(entry.rejectMedia)", "\(entry.rejectReports)",
                        entry.publicComment, "\(entry.obfuscate)",
                    ]))
            }
            return lines.map { $0 + "\n" }.joined()
        case .fediBlockHoleCSV:
            func python(_ flag: Bool) -> String { flag ? "True" : "False" }
            var lines = ["domain,severity,public_comment,private_comment,reject_media,reject_reports,obfuscate"]
            for entry in chosen {
                lines.append(
                    CSVTable.row([
                        entry.domain, entry.severity.rawValue, entry.publicComment, privateComment(entry),
                        python(entry.rejectMedia), python(entry.rejectReports), python(entry.obfuscate),
                    ]))
            }
            return lines.map { $0 + "\r\n" }.joined()
        case .fediBlockHoleJSON:
            var writer = JSONWriter(capacity: 128 * chosen.count + 2)
            writer.array(chosen) { writer, entry in
                writer.object { writer in
                    writer.member("domain", entry.domain)
                    writer.member("severity", entry.severity.rawValue)
                    writer.member("public_comment", entry.publicComment)
                    writer.member("private_comment", privateComment(entry))
                    writer.member("reject_media", entry.rejectMedia)
                    writer.member("reject_reports", entry.rejectReports)
                    writer.member("obfuscate", entry.obfuscate)
                }
            }
            return String(decoding: writer.bytes, as: UTF8.self) + "\n"
        case .goToSocialJSON:
            var writer = JSONWriter(capacity: 96 * chosen.count + 2)
            writer.array(chosen) { writer, entry in
                writer.object { writer in
                    writer.member("domain", entry.domain)
                    writer.member("public_comment", entry.publicComment)
                    writer.member("obfuscate", entry.obfuscate)
                }
            }
            return String(decoding: writer.bytes, as: UTF8.self) + "\n"
        case .rapidBlockJSON:
            var writer = JSONWriter(capacity: 128 * chosen.count + 128)
            writer.object { writer in
                writer.member("@spec", "https://rapidblock.org/spec/v1/")
                writer.member("publishedAt", ISO8601DateFormatter().string(from: options.publishedAt))
                writer.key("blocks")
                writer.object { writer in
                    for entry in chosen {
                        writer.key(entry.domain)
                        writer.object { writer in
                            writer.member("isBlocked", entry.state == .active)
                            writer.member("reason", entry.publicComment)
                            writer.key("tags")
                            writer.array(entry.reasons.sorted()) { writer, reason in writer.value(reason.rawValue) }
                        }
                    }
                }
            }
            return String(decoding: writer.bytes, as: UTF8.self) + "\n"
        case .plainText:
            return chosen.filter { $0.severity != .noop }.map { $0.domain + "\n" }.joined()
        }
    }
}
