/// Maps a total score to an action, and combines it with actions rules force.
///
/// Thresholds: a total at or above `reject` rejects, else at or above `hold` holds, else at or above `flag`
/// flags; below them all, accept. Forced actions win over the score with a fixed precedence:
/// a forced `reject` beats everything; a forced `accept` (an allow rule for known-good senders) beats the
/// score and forced `hold`/`flag`; forced `hold` and `flag` raise the score's action but never lower it.
public struct Policy: Sendable, Hashable {
    public var flag: Double?
    public var hold: Double?
    public var reject: Double?

    public init(flag: Double? = 5, hold: Double? = 8, reject: Double? = 12) {
        self.flag = flag
        self.hold = hold
        self.reject = reject
    }

    public static let `default` = Policy()

    public func action(forScore score: Double) -> RuleAction {
        if let reject, score >= reject { return .reject }
        if let hold, score >= hold { return .hold }
        if let flag, score >= flag { return .flag }
        return .accept
    }

    public func action(score: Double, forced: Set<RuleAction>) -> RuleAction {
        var actions = ForcedActions()
        for action in forced { actions.insert(action) }
        return action(score: score, forced: actions)
    }

    func action(score: Double, forced: ForcedActions) -> RuleAction {
        if forced.contains(.reject) { return .reject }
        if forced.contains(.accept) { return .accept }
        let scored = action(forScore: score)
        if forced.contains(.hold) { return max(scored, .hold) }
        if forced.contains(.flag) { return max(scored, .flag) }
        return scored
    }
}

/// The actions rules forced during one evaluation, as a bit set (`Set<RuleAction>` hashes on every insert).
struct ForcedActions {
    private var bits: UInt8 = 0

    mutating func insert(_ action: RuleAction) { bits |= 1 << UInt8(action.severity) }

    func contains(_ action: RuleAction) -> Bool { bits & (1 << UInt8(action.severity)) != 0 }
}
