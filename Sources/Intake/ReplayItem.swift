public import ActivityPub
public import Reputation
public import RuleEngine

/// One activity ready for in-order evaluation with reputation: its reputation view and its subject folded
/// (and scanned) for `engine`. A class, like `PreparedEntry`, so handing it on retains one reference.
public final class ReplayItem: Sendable {
    public let input: InputReader.Input
    public let subject: ReputationSubject
    public let prepared: PreparedSubject

    public init(input: InputReader.Input, subject: Subject, engine: RuleEngine) {
        self.input = input
        self.subject = ReputationSubject(subject)
        self.prepared = engine.prepare(subject, scanning: true)
    }
}
