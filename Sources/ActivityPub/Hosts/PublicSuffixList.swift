import Foundation

/// The Public Suffix List, used to find the registrable domain ("eTLD+1") of a host.
public struct PublicSuffixList: Sendable {
    /// The system list (Debian package `publicsuffix`), loaded once.
    public static let shared = PublicSuffixList(path: "/usr/share/publicsuffix/public_suffix_list.dat")

    /// Where the rules came from; says so when the file was missing and "last two labels" is used instead.
    public let source: String
    private let rules: Set<String>
    private let wildcards: Set<String>
    private let exceptions: Set<String>

    /// Builds a list from the text of a `public_suffix_list.dat` file.
    public init(contents: String) {
        self.init(contents: contents, source: "inline list")
    }

    private init(contents: String, source: String) {
        var rules: Set<String> = []
        var wildcards: Set<String> = []
        var exceptions: Set<String> = []
        for line in contents.split(whereSeparator: \.isNewline) {
            guard let token = line.split(whereSeparator: \.isWhitespace).first, !token.hasPrefix("//") else {
                continue
            }
            if token.hasPrefix("!") {
                if let host = Hostname.normalize(String(token.dropFirst())) { exceptions.insert(host) }
            } else if token.hasPrefix("*.") {
                if let host = Hostname.normalize(String(token.dropFirst(2))) { wildcards.insert(host) }
            } else if let host = Hostname.normalize(String(token)) {
                rules.insert(host)
            }
        }
        self.init(
            rules: rules, wildcards: wildcards, exceptions: exceptions,
            source: "\(source) (\(rules.count + wildcards.count + exceptions.count) rules)")
    }

    private init(rules: Set<String>, wildcards: Set<String>, exceptions: Set<String>, source: String) {
        self.rules = rules
        self.wildcards = wildcards
        self.exceptions = exceptions
        self.source = source
    }

    private init(path: String) {
        if let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) {
            self.init(contents: text, source: path)
        } else {
            self.init(
                rules: [], wildcards: [], exceptions: [],
                source: "fallback: last two labels (\(path) not readable; install the publicsuffix package)")
        }
    }

    /// The public suffix of `host` plus one label, e.g. `example.co.uk` for `a.b.example.co.uk`.
    /// Nil for IP addresses, single labels and hosts that are themselves public suffixes.
    public func registrableDomain(of host: String) -> String? {
        guard let host = Hostname.normalize(host), !host.hasPrefix("["), !Self.isIPv4(host) else { return nil }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return nil }
        var suffixLength = 1
        for start in 0..<labels.count {
            let candidate = labels[start...].joined(separator: ".")
            if exceptions.contains(candidate) {
                suffixLength = labels.count - start - 1
                break
            }
            if rules.contains(candidate) {
                suffixLength = labels.count - start
                break
            }
            if start + 1 < labels.count, wildcards.contains(labels[(start + 1)...].joined(separator: ".")) {
                suffixLength = labels.count - start
                break
            }
        }
        guard suffixLength < labels.count else { return nil }
        return labels[(labels.count - suffixLength - 1)...].joined(separator: ".")
    }

    private static func isIPv4(_ host: String) -> Bool {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in !part.isEmpty && part.allSatisfy(\.isASCII) && UInt8(part) != nil }
    }
}
