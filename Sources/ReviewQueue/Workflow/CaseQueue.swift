public import RuleEngine

/// A named, saved filter of cases: the queues moderators work. Contractors work only the queues assigned to them.
public struct CaseQueue: Sendable, Hashable, Codable {
    public var name: String
    public var filter: CaseFilter

    public init(name: String, filter: CaseFilter) {
        self.name = name
        self.filter = filter
    }
}

/// Which cases a list or a queue shows; nil fields match everything.
public struct CaseFilter: Sendable, Hashable, Codable {
    public var state: ReviewCase.State?
    /// How a closed case ended.
    public var outcome: ReviewCase.Outcome?
    /// The verdict's action when the case opened (`hold`, `flag`).
    public var action: RuleAction?
    /// A rule that fired.
    public var ruleID: String?
    /// A tag of a rule that fired.
    public var ruleTag: String?
    /// The host of the actor the case is about.
    public var domain: String?
    /// A language the activity declares (`contentMap` key or `language`).
    public var language: String?

    public init(
        state: ReviewCase.State? = nil, outcome: ReviewCase.Outcome? = nil, action: RuleAction? = nil,
        ruleID: String? = nil, ruleTag: String? = nil,
        domain: String? = nil, language: String? = nil
    ) {
        self.state = state
        self.outcome = outcome
        self.action = action
        self.ruleID = ruleID
        self.ruleTag = ruleTag
        self.domain = domain
        self.language = language
    }

    public static let all = CaseFilter()

    /// snake_case on the wire and in storage, spelled out: a key strategy would read `rule_id` as `ruleId`.
    enum CodingKeys: String, CodingKey {
        case state
        case outcome
        case action
        case ruleID = "rule_id"
        case ruleTag = "rule_tag"
        case domain
        case language
    }

    public func matches(_ reviewCase: ReviewCase, ignoringState: Bool = false) -> Bool {
        if !ignoringState, let state, reviewCase.state != state { return false }
        if let outcome, reviewCase.outcome != outcome { return false }
        if let action, reviewCase.action != action { return false }
        if let ruleID, !reviewCase.verdict.hits.contains(where: { $0.rule == ruleID }) { return false }
        if let ruleTag, !reviewCase.verdict.hits.contains(where: { $0.tags.contains(ruleTag) }) { return false }
        if let domain, reviewCase.host != domain.lowercased() { return false }
        if let language, !reviewCase.languages.contains(language) { return false }
        return true
    }
}
