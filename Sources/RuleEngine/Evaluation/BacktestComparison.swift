/// Compares the verdicts of two rule sets on the same activities: what a rule change would do.
public struct BacktestComparison: Sendable, Codable {
    public struct ActionChange: Sendable, Codable, Hashable {
        public var from: RuleAction
        public var to: RuleAction
        public var count: Int
        public var examples: [String]
    }

    public struct RuleChange: Sendable, Codable, Hashable {
        public var rule: String
        public var baselineHits: Int
        public var newHits: Int
        /// Activities the rule fires on only with the new rule set.
        public var newlyHit: Int
        /// Activities the rule fired on only with the baseline.
        public var noLongerHit: Int
        public var newlyHitExamples: [String]
        public var noLongerHitExamples: [String]
    }

    public private(set) var evaluated = 0
    public private(set) var unreadable = 0
    public private(set) var baselineTotals: [RuleAction: Int] = [:]
    public private(set) var newTotals: [RuleAction: Int] = [:]
    private var actionChanges: [String: ActionChange] = [:]
    private var rules: [String: RuleChange] = [:]
    public let examplesPerChange: Int

    public init(examplesPerChange: Int = 3) {
        self.examplesPerChange = examplesPerChange
    }

    public mutating func recordUnreadable() {
        unreadable += 1
    }

    public mutating func record(id: String, baseline: Verdict, new: Verdict) {
        evaluated += 1
        baselineTotals[baseline.action, default: 0] += 1
        newTotals[new.action, default: 0] += 1
        if baseline.action != new.action {
            let key = "\(baseline.action.rawValue)>\(new.action.rawValue)"
            var change = actionChanges[key] ?? ActionChange(from: baseline.action, to: new.action, count: 0, examples: [])
            change.count += 1
            if change.examples.count < examplesPerChange { change.examples.append(id) }
            actionChanges[key] = change
        }
        let before = Set((baseline.hits + baseline.shadowHits).map(\.rule))
        let after = Set((new.hits + new.shadowHits).map(\.rule))
        for rule in before.union(after) {
            var change =
                rules[rule]
                ?? RuleChange(rule: rule, baselineHits: 0, newHits: 0, newlyHit: 0, noLongerHit: 0, newlyHitExamples: [], noLongerHitExamples: [])
            if before.contains(rule) { change.baselineHits += 1 }
            if after.contains(rule) { change.newHits += 1 }
            if after.contains(rule), !before.contains(rule) {
                change.newlyHit += 1
                if change.newlyHitExamples.count < examplesPerChange { change.newlyHitExamples.append(id) }
            }
            if before.contains(rule), !after.contains(rule) {
                change.noLongerHit += 1
                if change.noLongerHitExamples.count < examplesPerChange { change.noLongerHitExamples.append(id) }
            }
            rules[rule] = change
        }
    }

    /// Action changes, largest first.
    public var changes: [ActionChange] {
        actionChanges.values.sorted { ($0.count, $1.from.rawValue + $1.to.rawValue) > ($1.count, $0.from.rawValue + $0.to.rawValue) }
    }

    /// Rules whose hits differ between the two sets, most changed first.
    public var changedRules: [RuleChange] {
        rules.values.filter { $0.newlyHit + $0.noLongerHit > 0 }.sorted {
            ($0.newlyHit + $0.noLongerHit, $1.rule) > ($1.newlyHit + $1.noLongerHit, $0.rule)
        }
    }
}
