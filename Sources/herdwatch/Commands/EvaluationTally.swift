import Intake
import RuleEngine

/// What a labelled replay decided, per slice, and the figures `eval` reports from it.
///
/// A spam item is caught when it is held or rejected: a flagged item is forwarded to the instance (a moderator
/// looks later), so it counts as missed for recall and is reported apart. A ham item held or rejected is a false
/// positive; a flagged one is reported apart, as the review work it makes.
struct EvaluationTally {
    struct Slice: Sendable {
        var name: String
        var kind: Envelope.Label.Kind
        var actions: [RuleAction: Int] = [:]
        /// The first few items this slice got wrong (spam forwarded, ham held or flagged), when asked for.
        var errors: [Miss] = []

        var items: Int { actions.values.reduce(0, +) }
        var caught: Int { actions[.hold, default: 0] + actions[.reject, default: 0] }
        var flagged: Int { actions[.flag, default: 0] }
        /// Held or rejected, of all items: recall for spam, the false-positive rate for ham.
        var caughtRate: Double { items == 0 ? 0 : Double(caught) / Double(items) }
        var flagRate: Double { items == 0 ? 0 : Double(flagged) / Double(items) }
    }

    /// An item the rules got wrong: where it is, what was decided, and which rules fired.
    struct Miss: Sendable, Encodable {
        var source: String
        var id: String?
        var action: RuleAction
        var score: Double
        var rules: [String]
    }

    private(set) var slices: [String: Slice] = [:]
    /// How many wrong items to keep per slice (`eval --errors`).
    var errorsPerSlice = 0

    /// Counts one item; false (and nothing counted) when its slice already holds items of the other label, since a
    /// slice is all spam or all ham.
    mutating func record(_ label: Envelope.Label, verdict: Verdict, source: String, id: String?) -> Bool {
        if let existing = slices[label.slice], existing.kind != label.kind { return false }
        let action = verdict.action
        slices[label.slice, default: Slice(name: label.slice, kind: label.kind)].actions[action, default: 0] += 1
        let wrong =
            switch label.kind {
            case .spam: action != .hold && action != .reject
            case .ham: action != .accept
            }
        if wrong, errorsPerSlice > 0, slices[label.slice, default: Slice(name: label.slice, kind: label.kind)].errors.count < errorsPerSlice {
            slices[label.slice]?.errors.append(
                Miss(source: source, id: id, action: action, score: verdict.score, rules: verdict.hits.map(\.rule)))
        }
        return true
    }

    /// Slices of one kind, by name.
    func slices(_ kind: Envelope.Label.Kind) -> [Slice] {
        slices.values.filter { $0.kind == kind }.sorted { $0.name < $1.name }
    }

    /// All slices of one kind as one.
    func total(_ kind: Envelope.Label.Kind) -> Slice {
        var total = Slice(name: "all \(kind.rawValue)", kind: kind)
        for slice in slices(kind) {
            for (action, count) in slice.actions { total.actions[action, default: 0] += count }
        }
        return total
    }

    /// Precision of "held or rejected" if spam were `prevalence` (0…1) of the traffic, from the overall spam
    /// recall R and ham false-positive rate F: p·R / (p·R + (1 − p)·F). Nil when nothing at all would be caught.
    func precision(atPrevalence prevalence: Double) -> Double? {
        let recall = total(.spam).caughtRate
        let falsePositives = total(.ham).caughtRate
        let caught = prevalence * recall + (1 - prevalence) * falsePositives
        return caught > 0 ? prevalence * recall / caught : nil
    }
}
