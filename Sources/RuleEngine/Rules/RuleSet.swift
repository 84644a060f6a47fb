public import Matching

/// A loaded, validated set of rules with its policy.
public struct RuleSet: Sendable {
    public var rules: [Rule]
    public var policy: Policy
    /// A short hash of every loaded file (rules and lists): changes whenever any of them does.
    public var version: String
    /// Warnings found while loading (the set loaded anyway).
    public var warnings: [RuleDiagnostic]

    public init(rules: [Rule], policy: Policy = .default, version: String, warnings: [RuleDiagnostic] = []) {
        self.rules = rules
        self.policy = policy
        self.version = version
        self.warnings = warnings
    }

    /// Loads every `*.yaml`/`*.yml` file under `directory`; throws every error found, not just the first.
    public static func load(directory: String, limits: MatchLimits? = nil) throws(RuleSetError) -> RuleSet {
        let result = RuleSetLoader(limitsOverride: limits).load(directory: directory)
        guard let ruleSet = result.ruleSet else { throw RuleSetError(diagnostics: result.diagnostics) }
        return ruleSet
    }
}
