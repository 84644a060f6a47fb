import Foundation

/// The Public Suffix List, used to find the registrable domain ("eTLD+1") of a host.
public struct PublicSuffixList: Sendable {
    /// The system list (Debian package `publicsuffix`), loaded once.
    public static let shared = PublicSuffixList(path: "/usr/share/publicsuffix/public_suffix_list.dat")

    /// Where the rules came from; says so when the file was missing and "last two labels" is used instead.
    public let source: String
    /// Every suffix (whole labels) of every rule, with what it is. A host is looked up from its last label
    /// leftwards, and the walk stops at the first suffix that is not in the table: no longer suffix can be a
    /// rule then. Typical hosts take two lookups.
    private let table: [String: Entry]

    private struct Entry: OptionSet {
        let rawValue: UInt8
        /// A rule (`co.uk`): the suffix is public.
        static let rule = Entry(rawValue: 1)
        /// An exception (`!www.ck`): the suffix is registrable.
        static let exception = Entry(rawValue: 2)
        /// The base of a wildcard (`*.ck`): every label under it is public.
        static let wildcardBase = Entry(rawValue: 4)
    }

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
        var table: [String: Entry] = [:]
        for (names, kind) in [(rules, Entry.rule), (wildcards, .wildcardBase), (exceptions, .exception)] {
            for name in names {
                table[name, default: []].insert(kind)
                // Its shorter suffixes are on the way to it.
                var index = name.utf8.startIndex
                while let dot = name.utf8[index...].firstIndex(of: UInt8(ascii: ".")) {
                    index = name.utf8.index(after: dot)
                    let suffix = String(name[index...])
                    if table[suffix] == nil { table[suffix] = [] }
                }
            }
        }
        self.table = table
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
        guard let host = Hostname.normalize(host) else { return nil }
        return registrableDomain(ofNormalized: host)
    }

    /// `registrableDomain(of:)` for a host `Hostname.normalize` already returned.
    func registrableDomain(ofNormalized host: String) -> String? {
        guard !host.hasPrefix("["), !Self.isIPv4(host) else { return nil }
        let utf8 = host.utf8
        let dot = UInt8(ascii: ".")
        func labelStart(endingAt end: String.Index) -> String.Index {
            var start = end
            while start != utf8.startIndex, utf8[utf8.index(before: start)] != dot { start = utf8.index(before: start) }
            return start
        }
        // Suffixes from the last label leftwards: the longest one a rule matches wins, and at the same length
        // an exception beats a rule, which beats a wildcard. The last label alone is the fallback (the
        // implicit `*` rule).
        var publicSuffix: String.Index?
        var shorter = utf8.endIndex
        var underWildcard = false
        var end = utf8.endIndex
        while true {
            let start = labelStart(endingAt: end)
            guard start != end else { break }
            let entry = table[String(host[start...])]
            if let entry, entry.contains(.exception) {
                publicSuffix = shorter
            } else if entry?.contains(.rule) == true || underWildcard || publicSuffix == nil {
                publicSuffix = start
            }
            guard let entry, start != utf8.startIndex else { break }
            underWildcard = entry.contains(.wildcardBase)
            shorter = start
            end = utf8.index(before: start)
        }
        guard let publicSuffix, publicSuffix != utf8.startIndex, publicSuffix != utf8.endIndex else { return nil }
        return String(host[labelStart(endingAt: utf8.index(before: publicSuffix))...])
    }

    private static func isIPv4(_ host: String) -> Bool {
        host.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ".") }
    }
}
