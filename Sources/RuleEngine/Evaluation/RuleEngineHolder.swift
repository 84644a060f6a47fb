public import Matching
import Synchronization

/// The engine currently serving, replaced atomically when a new rule set has compiled.
///
/// Evaluations read `engine` and keep using the instance they got; a reload loads and compiles the new rule
/// set (which can take seconds with a large Hyperscan database) while the previous engine goes on serving,
/// and swaps only when the new set loaded without errors.
public final class RuleEngineHolder: Sendable {
    private let current: Mutex<RuleEngine>

    public init(_ engine: RuleEngine) {
        current = Mutex(engine)
    }

    /// The engine to evaluate with now.
    public var engine: RuleEngine {
        current.withLock { $0 }
    }

    /// Puts `engine` in use: evaluations that start from now on use it; those under way finish with theirs.
    public func replace(with engine: RuleEngine) {
        current.withLock { $0 = engine }
    }

    /// Loads `directory`, compiles it, and swaps it in. On errors the current engine stays and the errors
    /// are thrown.
    @discardableResult
    public func reload(directory: String, limits: MatchLimits? = nil) async throws(RuleSetError) -> RuleEngine {
        let ruleSet = try RuleSet.load(directory: directory, limits: limits)
        let engine = RuleEngine(ruleSet: ruleSet)
        current.withLock { $0 = engine }
        return engine
    }
}
