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
    /// Labels the rule puts on the actor or domain when it fires (read back as `actor.label.NAME`).
    public var labels: [RuleLabel]
    public var location: SourceLocation

    public init(
        id: String, description: String, types: Set<String>, condition: Condition, score: Double,
        action: RuleAction?, tags: [String], mode: RuleMode, examples: [RuleExample], labels: [RuleLabel] = [],
        location: SourceLocation
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
        self.labels = labels
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

/// A label a rule sets when it fires, on the actor or its domain, for a while or for good.
public struct RuleLabel: Sendable, Hashable, Codable {
    public enum Scope: String, Sendable, Hashable, Codable {
        case actor
        case domain
    }

    public var scope: Scope
    public var name: String
    /// How long the label lasts; nil keeps it until removed.
    public var hours: Double?

    public init(scope: Scope, name: String, hours: Double?) {
        self.scope = scope
        self.name = name
        self.hours = hours
    }
}
