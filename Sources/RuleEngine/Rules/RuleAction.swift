/// What happens to an activity.
public enum RuleAction: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case accept
    case flag
    case hold
    case reject

    /// Severity order, used to combine a score's action with forced actions.
    var severity: Int {
        switch self {
        case .accept: 0
        case .flag: 1
        case .hold: 2
        case .reject: 3
        }
    }

    public static func < (lhs: RuleAction, rhs: RuleAction) -> Bool {
        lhs.severity < rhs.severity
    }
}

/// Whether a rule's hits count (`enforce`) or are only recorded (`shadow`).
public enum RuleMode: String, Sendable, Hashable, Codable {
    case enforce
    case shadow
}
