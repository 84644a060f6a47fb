/// The outcome of evaluating one activity, with everything needed to explain it.
public struct Verdict: Sendable, Codable, Hashable {
    public var action: RuleAction
    /// Sum of the scores of enforced rules that fired.
    public var score: Double
    /// Enforced rules that fired, in rule-set order.
    public var hits: [RuleHit]
    /// Shadow rules that fired: recorded, never counted.
    public var shadowHits: [RuleHit]
    /// Rules that could not be evaluated (for example a regex hit its match limit). Never read as "no match".
    public var errors: [RuleFailure]
    /// Hash of the loaded rule files.
    public var rulesetVersion: String

    public init(
        action: RuleAction, score: Double, hits: [RuleHit], shadowHits: [RuleHit], errors: [RuleFailure],
        rulesetVersion: String
    ) {
        self.action = action
        self.score = score
        self.hits = hits
        self.shadowHits = shadowHits
        self.errors = errors
        self.rulesetVersion = rulesetVersion
    }
}

/// A rule that fired, its contribution, and why.
public struct RuleHit: Sendable, Codable, Hashable {
    public var rule: String
    public var description: String
    public var score: Double
    public var action: RuleAction?
    public var tags: [String]
    public var evidence: [Evidence]
    /// Labels the rule sets on the actor or domain.
    public var labels: [RuleLabel]

    public init(
        rule: String, description: String, score: Double, action: RuleAction?, tags: [String], evidence: [Evidence],
        labels: [RuleLabel] = []
    ) {
        self.rule = rule
        self.description = description
        self.score = score
        self.action = action
        self.tags = tags
        self.evidence = evidence
        self.labels = labels
    }
}

/// One reason a rule fired: a text match with its span, a listed domain, or a field comparison.
public struct Evidence: Sendable, Codable, Hashable {
    public enum Kind: String, Sendable, Codable {
        case match
        case domain
        case field
    }

    public var kind: Kind
    /// The field read (`content`, `link.domains`, `mentions.count`, `domain.new_actors_1h`…).
    public var field: String
    /// A short human statement: `mentions.count = 5 (≥ 4)`, `ctkpaarr.org is on feb2024-domains.txt`.
    public var detail: String
    /// For text matches: where, in the form of the text that was matched.
    public var span: Span?

    public init(kind: Kind, field: String, detail: String, span: Span? = nil) {
        self.kind = kind
        self.field = field
        self.detail = detail
        self.span = span
    }
}

/// A matched span: byte and character offsets in the field's text, and a short excerpt.
public struct Span: Sendable, Codable, Hashable {
    public var form: String
    public var utf8Start: Int
    public var utf8End: Int
    public var characterStart: Int
    public var characterEnd: Int
    public var excerpt: String
}

/// A rule that errored during evaluation.
public struct RuleFailure: Sendable, Codable, Hashable {
    public var rule: String
    public var message: String
}
