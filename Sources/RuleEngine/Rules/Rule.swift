public import ActivityPub

/// One rule as loaded from a rule file.
public struct Rule: Sendable {
    public var id: String
    public var description: String
    /// Activity types the rule applies to; empty means every type.
    public var types: Set<String>
    public var condition: Condition
    public var score: Double
    /// An action forced whenever the rule fires, overriding the score (see `Policy`).
    public var action: RuleAction?
    public var tags: [String]
    public var mode: RuleMode
    public var examples: [RuleExample]
    public var location: SourceLocation

    public init(
        id: String, description: String, types: Set<String>, condition: Condition, score: Double,
        action: RuleAction?, tags: [String], mode: RuleMode, examples: [RuleExample], location: SourceLocation
    ) {
        self.id = id
        self.description = description
        self.types = types
        self.condition = condition
        self.score = score
        self.action = action
        self.tags = tags
        self.mode = mode
        self.examples = examples
        self.location = location
    }
}

/// An input a rule must (or must not) match, run by `herdwatch rules test`.
public struct RuleExample: Sendable {
    public enum Input: Sendable {
        /// Plain text placed in one text field of a public `Create{Note}`.
        case text(String, field: TextField)
        /// A whole activity, inline or from a file, with an optional actor document.
        case activity(bytes: [UInt8], actor: [UInt8]?)
    }

    public var shouldMatch: Bool
    public var input: Input
    /// Signal values the example assumes (reputation facts).
    public var signals: [String: Double]
    public var location: SourceLocation

    public init(shouldMatch: Bool, input: Input, signals: [String: Double], location: SourceLocation) {
        self.shouldMatch = shouldMatch
        self.input = input
        self.signals = signals
        self.location = location
    }
}
