public import ActivityPub
import Matching
import Synchronization

/// Evaluates subjects against a compiled rule set.
///
/// Compilation groups every regex and word list by the text channel it reads (a field in a form) and builds
/// one Hyperscan prefilter per channel. Evaluating a subject scans each channel once; only rules with a
/// nominated pattern, plus rules that read no text at all, are evaluated, and PCRE2 confirms every match.
/// The verdict is exactly what evaluating every rule with PCRE2 alone gives (`prefilter: false`).
public final class RuleEngine: Sendable {
    public let ruleSet: RuleSet
    /// Rules behind references, so evaluation does not copy rule values.
    private let rules: [CompiledRule]
    private let channels: [TextChannel]
    private let patternSets: [PatternSet]
    /// `triggers[channel][pattern]`: rules that may fire only if that pattern is a candidate.
    private let triggers: [[[Int]]]
    private let untriggered: CandidateSet
    /// Rules that apply to a type: those naming it and those for any type.
    private let rulesByType: [String: CandidateSet]
    private let rulesForAnyType: CandidateSet
    /// Text fields some rule reads in the folded form: `prepare` folds exactly these.
    private let foldedFields: [TextField]
    /// Tells this engine's prepared scans from another's (channel numbers differ between rule sets).
    private let identity = RuleEngine.nextIdentity.add(1, ordering: .relaxed).newValue
    private static let nextIdentity = Atomic<UInt64>(0)

    public init(ruleSet: RuleSet, prefilter: Bool = true) {
        self.ruleSet = ruleSet
        var builder = ChannelBuilder()
        let rules = ruleSet.rules.map { rule in
            var rule = rule
            rule.condition = builder.assignSlots(rule.condition)
            return rule
        }
        self.rules = rules.map(CompiledRule.init)
        self.channels = builder.channels
        // Channels reading the same patterns (a rule on `[content, summary]`) share one compiled set.
        var compiled: [[PatternKey]: PatternSet] = [:]
        self.patternSets = builder.patterns.map { patterns in
            let key = patterns.map(PatternKey.init)
            if let existing = compiled[key] { return existing }
            let set = PatternSet(patterns, prefilter: prefilter)
            compiled[key] = set
            return set
        }
        let foldedFields = Set(builder.channels.filter { $0.form == .folded }.map(\.field))
        self.foldedFields = TextField.allCases.filter(foldedFields.contains)

        var triggers = builder.patterns.map { Array(repeating: [Int](), count: $0.count) }
        var untriggered = CandidateSet(capacity: rules.count)
        var rulesByType: [String: CandidateSet] = [:]
        var rulesForAnyType = CandidateSet(capacity: rules.count)
        for (index, rule) in rules.enumerated() {
            if let slots = Self.trigger(of: rule.condition) {
                for slot in slots { triggers[slot.channel][slot.index].append(index) }
            } else {
                untriggered.insert(index)
            }
            if rule.types.isEmpty {
                rulesForAnyType.insert(index)
            } else {
                for type in rule.types {
                    rulesByType[type, default: CandidateSet(capacity: rules.count)].insert(index)
                }
            }
        }
        self.triggers = triggers
        self.untriggered = untriggered
        self.rulesByType = rulesByType.mapValues { typed in
            var applicable = typed
            applicable.formUnion(rulesForAnyType)
            return applicable
        }
        self.rulesForAnyType = rulesForAnyType
    }

    /// How many patterns the prefilter covers, and how many always run through PCRE2.
    public var prefilterCoverage: (prefiltered: Int, pcre2Only: Int) {
        patternSets.reduce((0, 0)) { ($0.0 + $1.prefilteredCount, $0.1 + $1.exclusions.count) }
    }

    /// Completes normalisation: adds the matching (folded) form of every text field the rules read folded, and
    /// what each text channel's prefilter derives from the text alone (its script mask and alphanumeric
    /// skeleton), so that evaluation only scans.
    ///
    /// With `scanning`, also runs the prefilter over every text channel, so that evaluating the result with
    /// this engine starts from its candidates. A replay prepares on worker cores ahead of the in-order
    /// evaluation; nothing else gains from it.
    public func prepare(_ subject: Subject, scanning: Bool = false) -> PreparedSubject {
        var folded: [TextField: String] = [:]
        for field in foldedFields {
            let text = subject.text(field)
            if !text.isEmpty { folded[field] = TextFolding.matchingForm(text) }
        }
        let texts = channels.map { channel in
            channel.form == .folded ? folded[channel.field] ?? "" : subject.text(channel.field)
        }
        let inputs = texts.indices.map { patternSets[$0].scanInput(for: texts[$0]) }
        return PreparedSubject(
            subject: subject, texts: texts, scanInputs: inputs, engine: identity,
            candidates: scanning ? scan(texts, inputs) : nil)
    }

    /// Evaluates `subject`, reading reputation from `signals`.
    public func evaluate(_ subject: Subject, signals: any Signals = InMemorySignals()) -> Verdict {
        evaluate(prepare(subject), signals: signals)
    }

    /// Evaluates a subject whose matching forms are already computed.
    public func evaluate(_ prepared: PreparedSubject, signals: any Signals = InMemorySignals()) -> Verdict {
        // Another engine folded the fields its own rules read and scanned for its own channels: start over.
        guard prepared.engine == identity else { return evaluate(prepare(prepared.subject), signals: signals) }
        var context = EvaluationContext(prepared: prepared, signals: signals, channels: channels)
        let selected = select(&context)

        var score = 0.0
        var forced = ForcedActions()
        var hits: [RuleHit] = []
        var shadowHits: [RuleHit] = []
        var errors: [RuleFailure] = []
        for index in selected {
            // Read fields through the reference: copying a `Rule` would retain every one of its fields.
            let compiled = rules[index]
            var evidence: [Evidence] = []
            // Decide first without building evidence; explain only the rules that fire.
            var outcome = context.evaluate(compiled.condition, explain: false, evidence: &evidence)
            if case .success(true) = outcome {
                outcome = context.evaluate(compiled.condition, explain: true, evidence: &evidence)
            }
            switch outcome {
            case .failure(let error):
                errors.append(RuleFailure(rule: compiled.rule.id, message: error.description))
            case .success(false):
                continue
            case .success(true):
                let hit = RuleHit(
                    rule: compiled.rule.id, description: compiled.rule.description, score: compiled.rule.score,
                    action: compiled.rule.action, tags: compiled.rule.tags, evidence: evidence,
                    labels: compiled.rule.labels)
                if compiled.rule.mode == .shadow {
                    shadowHits.append(hit)
                } else {
                    if hits.isEmpty { hits.reserveCapacity(4) }
                    hits.append(hit)
                    score += compiled.rule.score
                    if let action = compiled.rule.action { forced.insert(action) }
                }
            }
        }
        return Verdict(
            action: ruleSet.policy.action(score: score, forced: forced), score: score, hits: hits,
            shadowHits: shadowHits, errors: errors, rulesetVersion: ruleSet.version)
    }

    /// How many rules evaluating `prepared` hands to PCRE2 and the other conditions: rules that apply to its
    /// type and either have a prefilter candidate or read no text. Benchmarks report it.
    public func nominatedRuleCount(_ prepared: PreparedSubject) -> Int {
        var context = EvaluationContext(prepared: prepared, signals: InMemorySignals(), channels: channels)
        return select(&context).count
    }

    /// Scans every channel with its prefilter, records the candidates in `context`, and returns the rules
    /// to evaluate.
    private func select(_ context: inout EvaluationContext) -> CandidateSet {
        var selected = rulesForAnyType
        for type in context.subject.matchTypes {
            guard let typed = rulesByType[type] else { continue }
            // Most subjects have one type: take its set as it is rather than merging into a copy.
            if context.subject.matchTypes.count == 1 { selected = typed } else { selected.formUnion(typed) }
        }
        let candidates: [CandidateSet]
        if let scanned = context.prepared.candidates {
            candidates = scanned
        } else {
            candidates = scan(context.prepared.texts, context.prepared.scanInputs)
        }
        var nominated = untriggered
        context.candidates = candidates
        for (channel, channelCandidates) in candidates.enumerated() {
            let channelTriggers = triggers[channel]
            for pattern in channelCandidates {
                for rule in channelTriggers[pattern] { nominated.insert(rule) }
            }
        }
        // `nominated` is already this evaluation's own copy; `selected` may still share a precomputed set.
        nominated.formIntersection(selected)
        return nominated
    }

    /// The prefilter candidates of every channel.
    private func scan(_ texts: [String], _ inputs: [PatternSet.ScanInput]) -> [CandidateSet] {
        var result: [CandidateSet] = []
        result.reserveCapacity(channels.count)
        for channel in channels.indices {
            let set = patternSets[channel]
            // Empty text is still asked: patterns the prefilter cannot take (some match empty text) run anyway.
            var text = texts[channel]
            let candidates: CandidateSet
            do {
                let input = inputs[channel]
                candidates = try text.withUTF8 { bytes in
                    Result { () throws(MatchingError) in try set.candidates(in: bytes, input: input) }
                }.get()
            } catch {
                candidates = CandidateSet(all: set.patterns.count)
            }
            result.append(candidates)
        }
        return result
    }

    /// Pattern slots of which at least one must be a candidate for `condition` to possibly hold, or nil when
    /// the condition can hold without any text match.
    static func trigger(of condition: Condition) -> [PatternSlot]? {
        switch condition {
        case .text(let text):
            return text.slots
        case .domains, .field, .not:
            return nil
        case .all(let children):
            return children.compactMap(trigger(of:)).min { $0.count < $1.count }
        case .any(let children):
            var slots: [PatternSlot] = []
            for child in children {
                guard let childSlots = trigger(of: child) else { return nil }
                slots += childSlots
            }
            return children.isEmpty ? nil : slots
        case .atLeast(let count, let children):
            // At least `count` children must hold: if more than `children.count - count` of them need text,
            // one of those must have a candidate.
            let triggered = children.compactMap(trigger(of:))
            guard count > 0, children.count - triggered.count < count else { return nil }
            return triggered.flatMap { $0 }
        }
    }
}

/// Collects the text channels of a rule set and the patterns each reads.
private struct ChannelBuilder {
    var channels: [TextChannel] = []
    var patterns: [[Pattern]] = []
    var channelIndex: [TextChannel: Int] = [:]

    mutating func assignSlots(_ condition: Condition) -> Condition {
        switch condition {
        case .text(var text):
            text.slots = text.fields.map { field in
                let channel = TextChannel(field: field, form: text.form)
                let index: Int
                if let existing = channelIndex[channel] {
                    index = existing
                } else {
                    index = channels.count
                    channelIndex[channel] = index
                    channels.append(channel)
                    patterns.append([])
                }
                patterns[index].append(text.pattern)
                return PatternSlot(channel: index, index: patterns[index].count - 1)
            }
            return .text(text)
        case .domains, .field:
            return condition
        case .all(let children): return .all(children.map { assignSlots($0) })
        case .any(let children): return .any(children.map { assignSlots($0) })
        case .not(let child): return .not(assignSlots(child))
        case .atLeast(let count, let children): return .atLeast(count, children.map { assignSlots($0) })
        }
    }
}

/// A subject with the text each channel reads (folded where the channel reads the matching form) and what the
/// prefilter derives from it: the complete normalised input of evaluation.
///
/// A class, so that evaluation holds one reference to it rather than a copy of every field of the subject.
public final class PreparedSubject: Sendable {
    public let subject: Subject
    /// The text each channel of the preparing engine reads, by channel.
    let texts: [String]
    /// What the channel's prefilter needs besides the text (its script mask and skeleton), by channel.
    let scanInputs: [PatternSet.ScanInput]
    /// The engine that prepared it: the channels are that engine's.
    let engine: UInt64
    /// Prefilter candidates per channel, found by `prepare(_:scanning:)`.
    let candidates: [CandidateSet]?

    init(
        subject: Subject, texts: [String], scanInputs: [PatternSet.ScanInput], engine: UInt64, candidates: [CandidateSet]? = nil
    ) {
        self.subject = subject
        self.texts = texts
        self.scanInputs = scanInputs
        self.engine = engine
        self.candidates = candidates
    }
}

/// A rule behind a reference, with its condition stored apart so evaluation reads it without copying the rule.
private final class CompiledRule: Sendable {
    let rule: Rule
    let condition: CompiledCondition
    init(_ rule: Rule) {
        self.rule = rule
        self.condition = CompiledCondition(rule.condition)
    }
}

/// Identifies a pattern by what it matches, to share compiled sets between channels.
private struct PatternKey: Hashable {
    let source: String
    let options: PatternOptions
    init(_ pattern: Pattern) {
        source = pattern.source
        options = pattern.options
    }
}
