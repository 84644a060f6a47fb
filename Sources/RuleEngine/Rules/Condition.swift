public import ActivityPub
public import Matching

/// When a rule fires: a tree of tests on the subject.
public indirect enum Condition: Sendable {
    /// A regex or word list matched against text fields.
    case text(TextCondition)
    /// A domain list matched (with subdomains) against link, actor or mention hosts.
    case domains(DomainCondition)
    /// A comparison on a subject field or reputation signal.
    case field(FieldCondition)
    case all([Condition])
    case any([Condition])
    case not(Condition)
    /// True when at least `count` of the conditions are.
    case atLeast(Int, [Condition])
}

/// Which form of a text field a rule reads.
public enum TextForm: String, Sendable, Hashable, CaseIterable {
    /// The text as the sender wrote it (after HTML to text).
    case raw
    /// NFKC, case-folded, invisible characters removed, confusables and leetspeak folded.
    case folded
}

/// A text field in one form: the unit the prefilter scans.
public struct TextChannel: Sendable, Hashable {
    public var field: TextField
    public var form: TextForm

    public init(field: TextField, form: TextForm) {
        self.field = field
        self.form = form
    }

    public var name: String { form == .folded ? field.rawValue : "\(field.rawValue) (raw)" }
}

public struct TextCondition: Sendable {
    public enum Kind: String, Sendable {
        case regex
        case words
    }

    public var kind: Kind { didSet { matchDetail = Self.matchDetail(kind, pattern) } }
    public var pattern: Pattern { didSet { matchDetail = Self.matchDetail(kind, pattern) } }
    public var fields: [TextField]
    public var form: TextForm
    /// Where the pattern sits in each channel's pattern set; filled in when the rule set is compiled.
    var slots: [PatternSlot] = []
    /// The evidence detail of a match (`regex /…/ matched`), built once rather than on every hit.
    private(set) var matchDetail: String

    public init(kind: Kind, pattern: Pattern, fields: [TextField], form: TextForm) {
        self.kind = kind
        self.pattern = pattern
        self.fields = fields
        self.form = form
        self.matchDetail = Self.matchDetail(kind, pattern)
    }

    private static func matchDetail(_ kind: Kind, _ pattern: Pattern) -> String {
        "\(kind.rawValue) /\(pattern.source)/ matched"
    }
}

/// A pattern's position in the pattern set of one channel.
struct PatternSlot: Sendable, Hashable {
    var channel: Int
    var index: Int
}

public struct DomainCondition: Sendable {
    public enum Target: String, Sendable, CaseIterable {
        /// Hosts of links in the post (not mentions or hashtags).
        case links
        /// The actor's host.
        case actor
        /// Hosts of mentioned accounts.
        case mentions
    }

    public var domains: Set<String>
    public var target: Target
    /// Where the list came from, for explanations (`inline` or a file name).
    public var listName: String

    public init(domains: Set<String>, target: Target, listName: String) {
        self.domains = domains
        self.target = target
        self.listName = listName
    }

    /// The listed domain that `host` equals or is a subdomain of.
    func listedDomain(for host: String) -> String? {
        if domains.contains(host) { return host }
        // Suffixes after each dot, found on the UTF-8 bytes: `Character` indexing validates grapheme boundaries
        // on every step, which cost more than the set lookups.
        let utf8 = host.utf8
        var index = utf8.startIndex
        while let dot = utf8[index...].firstIndex(of: UInt8(ascii: ".")) {
            index = utf8.index(after: dot)
            let suffix = String(Substring(utf8[index...]))
            if domains.contains(suffix) { return suffix }
        }
        return nil
    }
}

public struct FieldCondition: Sendable {
    public enum Comparison: Sendable, Hashable {
        case greaterOrEqual(Double)
        case greater(Double)
        case lessOrEqual(Double)
        case less(Double)
        case equal(FieldValue)
        /// Equal to one of the values (for a list field: any element is).
        case isOneOf([FieldValue])
        /// A list field has this element (or a text field contains this substring).
        case contains(String)
        /// The field has (true) or lacks (false) a value.
        case exists(Bool)
    }

    public var name: String {
        didSet { subjectField = SubjectFieldKey(name) }
    }
    public var comparisons: [Comparison]
    /// The subject field `name` names, resolved once at load; nil when it names a reputation signal.
    private(set) var subjectField: SubjectFieldKey?

    public init(name: String, comparisons: [Comparison]) {
        self.name = name
        self.comparisons = comparisons
        self.subjectField = SubjectFieldKey(name)
    }
}
