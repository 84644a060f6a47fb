public import RuleEngine

/// The priority a case gets when it opens, stored with it and read by `next` and the lists (higher first;
/// within a priority, oldest first):
///
///     priority = 1000 × (action is hold) + 10 × min(max(score, 0), 40) + 5 × min(campaign size, 100)
///
/// A held delivery (waiting, its replay window closing) always outranks a flagged one; within each, the
/// verdict's score counts up to 400 and the size of the near-duplicate campaign the activity belongs to (the
/// `campaign.size` signal a rule read, when one did) up to 500.
public enum CasePriority {
    public static func of(_ verdict: Verdict, action: RuleAction) -> Int {
        let held = action == .hold ? 1000 : 0
        let score = Int((min(max(verdict.score, 0), 40) * 10).rounded())
        let campaign = min(campaignSize(verdict) ?? 0, 100) * 5
        return held + score + campaign
    }

    /// The `campaign.size` a rule compared (evidence `campaign.size = 12 (≥ 5)`), if any rule read it.
    public static func campaignSize(_ verdict: Verdict) -> Int? {
        let details = (verdict.hits + verdict.shadowHits).flatMap(\.evidence).filter { $0.field == "campaign.size" }
            .map(\.detail)
        return details.compactMap { detail -> Int? in
            guard let equals = detail.firstIndex(of: "=") else { return nil }
            let digits = detail[detail.index(after: equals)...].drop { $0 == " " }.prefix { $0.isNumber || $0 == "." }
            return Double(digits).map { Int($0) }
        }.max()
    }
}
