public import Foundation

/// Mastodon's follows export (`following_accounts.csv`) read as edges: the local user follows each account.
public struct FollowImport: Sendable {
    public let localUser: FollowAccount
    /// The accounts followed, each once, in file order.
    public let accounts: [FollowAccount]
    /// Rows naming an account already named above.
    public let duplicates: Int

    /// The header Mastodon writes (only its first column is read).
    public static let header = "Account address"

    /// Reads the whole export; throws, listing every bad row by its line, when any row is bad.
    public init(csv: String, localUser: FollowAccount) throws(FollowImportError) {
        self.localUser = localUser
        var accounts: [FollowAccount] = []
        var seen: Set<FollowAccount> = []
        var duplicates = 0
        var problems: [String] = []
        var sawHeader = false
        // A byte-order mark, as spreadsheets write when they save a CSV, is not part of the header.
        let csv = csv.unicodeScalars.first == "\u{FEFF}" ? String(csv.unicodeScalars.dropFirst()) : csv
        // `\r\n` is one Character in Swift: split on any newline, so files saved on Windows read the same.
        for (index, line) in csv.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let number = index + 1
            let first = line.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            var address = first.trimmingCharacters(in: .whitespaces)
            if address.count >= 2, address.hasPrefix("\""), address.hasSuffix("\"") {
                address = String(address.dropFirst().dropLast())
            }
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            if !sawHeader {
                sawHeader = true
                if address.caseInsensitiveCompare(Self.header) == .orderedSame { continue }
            }
            guard let account = FollowAccount(address: address) else {
                problems.append("line \(number): the first column is not an account address like user@domain")
                continue
            }
            if seen.insert(account).inserted { accounts.append(account) } else { duplicates += 1 }
        }
        guard problems.isEmpty else { throw FollowImportError(problems: problems) }
        self.accounts = accounts
        self.duplicates = duplicates
    }

    /// The local user as `follows import --user` gives it: `name@domain`, or `name` on the first of `domains`.
    public static func localAccount(_ user: String, domains: [String]) -> FollowAccount? {
        if user.contains("@") { return FollowAccount(address: user) }
        guard let domain = domains.first else { return nil }
        return FollowAccount(username: user, domain: domain)
    }

    /// The import as changes to the graph, dated `date`.
    public func changes(at date: Date) -> [FollowChange] {
        accounts.map {
            .add(
                FollowRecord(
                    edge: FollowEdge(local: localUser, remote: $0, direction: .localFollowsRemote), since: date))
        }
    }
}

/// Why an export was not imported: every bad row, by line (never the row's text, which names people).
public struct FollowImportError: Error, Sendable, CustomStringConvertible {
    public var problems: [String]

    public var description: String {
        "nothing imported; fix these rows and run again:\n  " + problems.joined(separator: "\n  ")
    }
}
