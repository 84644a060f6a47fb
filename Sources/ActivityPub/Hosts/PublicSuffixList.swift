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
        var contents = contents
        contents.withUTF8 { bytes in
            var lineStart = 0
            while lineStart < bytes.count {
                var lineEnd = lineStart
                while lineEnd < bytes.count, bytes[lineEnd] != 0x0A, bytes[lineEnd] != 0x0D { lineEnd += 1 }
                // A rule is the first whitespace-free token of a line; `//` starts a comment.
                var tokenEnd = lineStart
                while tokenEnd < lineEnd, bytes[tokenEnd] != 0x20, bytes[tokenEnd] != 0x09 { tokenEnd += 1 }
                let token = UnsafeBufferPointer(rebasing: bytes[lineStart..<tokenEnd])
                if !token.isEmpty, !(token.count >= 2 && token[0] == 0x2F && token[1] == 0x2F) {
                    let rule = String(decoding: token, as: UTF8.self)
                    if token[0] == UInt8(ascii: "!") {
                        if let host = Hostname.normalize(String(rule.dropFirst())) { exceptions.insert(host) }
                    } else if token.count > 2, token[0] == UInt8(ascii: "*"), token[1] == UInt8(ascii: ".") {
                        if let host = Hostname.normalize(String(rule.dropFirst(2))) { wildcards.insert(host) }
                    } else if let host = Hostname.normalize(rule) {
                        rules.insert(host)
                    }
                }
                lineStart = lineEnd + 1
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
        // Label starts, leftmost first; each suffix is a slice of `host`, so no joining is needed.
        var starts = [host.startIndex]
        var index = host.utf8.startIndex
        while index != host.utf8.endIndex {
            if host.utf8[index] == UInt8(ascii: ".") { starts.append(host.utf8.index(after: index)) }
            index = host.utf8.index(after: index)
        }
        guard starts.count >= 2 else { return nil }
        var suffixLabels = 1
        for (position, start) in starts.enumerated() {
            let candidate = String(host[start...])
            if exceptions.contains(candidate) {
                suffixLabels = starts.count - position - 1
                break
            }
            if rules.contains(candidate) {
                suffixLabels = starts.count - position
                break
            }
            if position + 1 < starts.count, wildcards.contains(String(host[starts[position + 1]...])) {
                suffixLabels = starts.count - position
                break
            }
        }
        guard suffixLabels < starts.count else { return nil }
        return String(host[starts[starts.count - suffixLabels - 1]...])
    }

    private static func isIPv4(_ host: String) -> Bool {
        host.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ".") }
    }
}
