import ActivityPub
import Matching

/// Per-evaluation state: the subject's texts per channel, prefilter candidates, and signal reads.
struct EvaluationContext {
    let prepared: PreparedSubject
    /// The subject, copied out of `prepared` once per evaluation. Read through the class instead
    /// (`prepared.subject`), every field or domain condition copied the whole struct again, retaining and
    /// releasing each of its fields, to pass it on.
    let subject: Subject
    let signals: any Signals
    let channels: [TextChannel]
    /// Prefilter candidates per channel, once the channels are scanned (empty before: every pattern may match).
    var candidates: [CandidateSet] = []
    /// Spans found while deciding rules (`explain: false`), reused when the rules that fired are explained.
    /// A list: an evaluation finds a handful, and hashing slots cost more than scanning them.
    private var spans: [(slot: PatternSlot, span: MatchSpan)] = []

    // Nothing here is allocated per evaluation with `Array(repeating:count:)`: for element types such as
    // `String?`, that initialiser looks the array's storage type up in the runtime's metadata cache on every
    // call, which was about a quarter of the time spent evaluating a post no rule matches.
    init(prepared: PreparedSubject, signals: any Signals, channels: [TextChannel]) {
        self.prepared = prepared
        self.subject = prepared.subject
        self.signals = signals
        self.channels = channels
    }

    /// The text of a channel, folded when the channel reads the matching form.
    func text(_ channel: Int) -> String {
        prepared.texts[channel]
    }

    /// Decides `condition`. With `explain`, also appends the evidence of why it holds; without, builds no
    /// evidence at all, which is how every rule is decided first (most do not fire): a rule that fires is then
    /// evaluated again with `explain`, reusing the spans found the first time.
    mutating func evaluate(_ condition: CompiledCondition, explain: Bool, evidence: inout [Evidence]) -> Result<Bool, MatchingError> {
        switch condition {
        case .text(let text):
            return evaluateText(text, explain: explain, evidence: &evidence)
        case .domains(let domains):
            return .success(evaluateDomains(domains.condition, explain: explain, evidence: &evidence))
        case .field(let field):
            return .success(evaluateField(field.condition, explain: explain, evidence: &evidence))
        case .all(let children):
            var collected: [Evidence] = []
            for child in children {
                switch evaluate(child, explain: explain, evidence: &collected) {
                case .success(true): continue
                case let other: return other
                }
            }
            evidence += collected
            return .success(true)
        case .any(let children):
            var failure: MatchingError?
            for child in children {
                switch evaluate(child, explain: explain, evidence: &evidence) {
                case .success(true): return .success(true)
                case .success(false): continue
                case .failure(let error): failure = failure ?? error
                }
            }
            return failure.map { .failure($0) } ?? .success(false)
        case .not(let child):
            var discarded: [Evidence] = []
            return evaluate(child, explain: false, evidence: &discarded).map { !$0 }
        case .atLeast(let count, let children):
            var held = 0
            var collected: [Evidence] = []
            var failure: MatchingError?
            for (position, child) in children.enumerated() {
                switch evaluate(child, explain: explain, evidence: &collected) {
                case .success(true): held += 1
                case .success(false): break
                case .failure(let error): failure = failure ?? error
                }
                if held >= count {
                    evidence += collected
                    return .success(true)
                }
                if held + (children.count - position - 1) < count, failure == nil { return .success(false) }
            }
            return failure.map { .failure($0) } ?? .success(false)
        }
    }

    private mutating func evaluateText(_ condition: TextLeaf, explain: Bool, evidence: inout [Evidence]) -> Result<
        Bool, MatchingError
    > {
        for slot in condition.slots {
            if !candidates.isEmpty, !candidates[slot.channel].contains(slot.index) { continue }
            let text = text(slot.channel)
            let span: MatchSpan
            if let found = spans.last(where: { $0.slot == slot }) {
                span = found.span
            } else {
                do {
                    guard let found = try condition.pattern.firstMatch(in: text) else { continue }
                    span = found
                } catch {
                    return .failure(error)
                }
                // Room for a handful at once: growing one at a time reallocates at 1, 2 and 4.
                if spans.isEmpty { spans.reserveCapacity(8) }
                spans.append((slot, span))
            }
            if explain {
                let channel = channels[slot.channel]
                let characters = span.characters(in: text)
                evidence.append(
                    Evidence(
                        kind: .match, field: channel.field.rawValue,
                        detail: condition.matchDetail,
                        span: Span(
                            form: channel.form.rawValue, utf8Start: span.utf8.lowerBound, utf8End: span.utf8.upperBound,
                            characterStart: characters.lowerBound, characterEnd: characters.upperBound,
                            excerpt: span.excerpt(in: text))))
            }
            return .success(true)
        }
        return .success(false)
    }

    private func evaluateDomains(_ condition: DomainCondition, explain: Bool, evidence: inout [Evidence]) -> Bool {
        // Hosts are read in place rather than through `Subject.linkHosts`, which builds a de-duplicated array:
        // a repeated host is only checked again, and the first listed one is the same either way.
        func listed(_ host: String, field: String) -> Bool {
            guard let listed = condition.listedDomain(for: host) else { return false }
            guard explain else { return true }
            let detail = listed == host ? "\(host) is on \(condition.listName)" : "\(host) is under \(listed) on \(condition.listName)"
            evidence.append(Evidence(kind: .domain, field: field, detail: detail, span: nil))
            return true
        }
        switch condition.target {
        case .links:
            return subject.links.contains { listed($0.host, field: "link.hosts") }
        case .actor:
            return subject.actorHost.map { listed($0, field: "actor.host") } ?? false
        case .mentions:
            return subject.mentions.contains { $0.host.map { listed($0, field: "mention.hosts") } ?? false }
        }
    }

    private func evaluateField(_ condition: FieldCondition, explain: Bool, evidence: inout [Evidence]) -> Bool {
        let value: FieldValue?
        if let field = condition.subjectField {
            value = subject.fieldValue(field)
        } else {
            value = signals.value(of: condition.name, for: subject).map { .number($0) }
        }
        guard explain else {
            return condition.comparisons.allSatisfy { Self.compare(value, $0, explain: false) != nil }
        }
        var statements: [String] = []
        for comparison in condition.comparisons {
            guard let statement = Self.compare(value, comparison, explain: true) else { return false }
            statements.append(statement)
        }
        let shown = value.map { String(describing: $0) } ?? "none"
        evidence.append(
            Evidence(
                kind: .field, field: condition.name,
                detail: "\(condition.name) = \(shown) (\(statements.joined(separator: ", ")))", span: nil))
        return true
    }

    /// Returns a short statement of the comparison when it holds (empty without `explain`), nil when it does not.
    static func compare(_ value: FieldValue?, _ comparison: FieldCondition.Comparison, explain: Bool = true) -> String? {
        switch comparison {
        case .exists(let wanted):
            guard (value != nil) == wanted else { return nil }
            return explain ? (wanted ? "present" : "absent") : ""
        case .greaterOrEqual(let bound):
            guard let number = value?.number, number >= bound else { return nil }
            return explain ? "≥ \(FieldValue.number(bound))" : ""
        case .greater(let bound):
            guard let number = value?.number, number > bound else { return nil }
            return explain ? "> \(FieldValue.number(bound))" : ""
        case .lessOrEqual(let bound):
            guard let number = value?.number, number <= bound else { return nil }
            return explain ? "≤ \(FieldValue.number(bound))" : ""
        case .less(let bound):
            guard let number = value?.number, number < bound else { return nil }
            return explain ? "< \(FieldValue.number(bound))" : ""
        case .equal(let expected):
            guard let value, value.equals(expected) else { return nil }
            return explain ? "= \(expected)" : ""
        case .isOneOf(let options):
            guard let value, let match = options.first(where: { value.equals($0) }) else { return nil }
            return explain ? "is \(match)" : ""
        case .contains(let needle):
            switch value {
            case .list(let items) where items.contains(where: { $0.lowercased() == needle.lowercased() }):
                return explain ? "has \(needle)" : ""
            case .string(let text) where text.lowercased().contains(needle.lowercased()):
                return explain ? "contains \(needle)" : ""
            default:
                return nil
            }
        }
    }
}
