import ActivityPub
import Foundation

/// The result of running one rule example.
public struct RuleExampleOutcome: Sendable {
    public var rule: String
    public var location: SourceLocation
    public var shouldMatch: Bool
    public var didMatch: Bool
    /// Why the example could not be run (its activity does not parse, the rule errored).
    public var problem: String?

    public var passed: Bool { problem == nil && shouldMatch == didMatch }
}

/// Runs every rule's `examples`: each `match` example must make its rule fire, each `no_match` must not.
public enum RuleExampleRunner {
    public static func run(_ ruleSet: RuleSet) -> [RuleExampleOutcome] {
        let engine = RuleEngine(ruleSet: ruleSet)
        var outcomes: [RuleExampleOutcome] = []
        for rule in ruleSet.rules {
            for example in rule.examples {
                var outcome = RuleExampleOutcome(
                    rule: rule.id, location: example.location, shouldMatch: example.shouldMatch, didMatch: false)
                do {
                    let verdict: Verdict
                    let signals = InMemorySignals(example.signals)
                    switch example.input {
                    case .text(let text, let field):
                        let (activity, actor) = synthesize(text: text, field: field)
                        verdict = try engine.evaluate(activity: activity, actor: actor, signals: signals)
                    case .activity(let bytes, let actor):
                        verdict = try engine.evaluate(activity: bytes, actor: actor, signals: signals)
                    }
                    if let failure = verdict.errors.first(where: { $0.rule == rule.id }) {
                        outcome.problem = "the rule errored: \(failure.message)"
                    }
                    outcome.didMatch = (verdict.hits + verdict.shadowHits).contains { $0.rule == rule.id }
                } catch {
                    outcome.problem = "the example activity does not parse: \(error)"
                }
                outcomes.append(outcome)
            }
        }
        return outcomes
    }

    /// A public `Create{Note}` carrying `text` in `field` (an actor document for actor fields).
    static func synthesize(text: String, field: TextField) -> (activity: [UInt8], actor: [UInt8]?) {
        let html = text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\n", with: "<br>")
        var object: [String: Any] = [
            "id": "https://example.invalid/notes/1", "type": "Note",
            "attributedTo": "https://example.invalid/users/example",
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
        ]
        var actor: [String: Any] = [
            "id": "https://example.invalid/users/example", "type": "Person", "preferredUsername": "example",
        ]
        var hasActor = false
        switch field {
        case .content, .links: object["content"] = html
        case .summary: object["summary"] = text
        case .name: object["name"] = text
        case .alt: object["attachment"] = [["type": "Document", "mediaType": "image/png", "url": "https://example.invalid/a.png", "name": text]]
        case .poll:
            object["type"] = "Question"
            object["oneOf"] = text.split(whereSeparator: \.isNewline).map { ["type": "Note", "name": String($0)] }
        case .actorUsername:
            actor["preferredUsername"] = text
            hasActor = true
        case .actorDisplayName:
            actor["name"] = text
            hasActor = true
        case .actorBio:
            actor["summary"] = html
            hasActor = true
        case .actorFields:
            actor["attachment"] = [["type": "PropertyValue", "name": "about", "value": html]]
            hasActor = true
        }
        let activity: [String: Any] = [
            "id": "https://example.invalid/notes/1/activity", "type": "Create",
            "actor": "https://example.invalid/users/example", "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "object": object,
        ]
        let encode = { (value: [String: Any]) -> [UInt8] in
            Array((try? JSONSerialization.data(withJSONObject: value)) ?? Data())
        }
        return (encode(activity), hasActor ? encode(actor) : nil)
    }
}
