import Foundation
public import RuleEngine

/// The rule directory a replay evaluates with.
public enum RuleDirectory {
    /// `$HERDWATCH_RULES` when it is set, else `Rules` (relative to the working directory).
    public static var defaultPath: String {
        if let fromEnvironment = ProcessInfo.processInfo.environment["HERDWATCH_RULES"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return "Rules"
    }

    /// The rule set in `directory`; when it does not load, the error says how to see every problem and lists
    /// the rule files' errors, one a line.
    public static func load(_ directory: String) throws(IntakeError) -> RuleSet {
        do {
            return try RuleSet.load(directory: directory)
        } catch {
            let errors = error.diagnostics.filter { $0.severity == .error }.map { "\n\($0)" }.joined()
            throw IntakeError("the rules in \(directory) do not load; run `herdwatch rules lint \(directory)`:\(errors)")
        }
    }
}
