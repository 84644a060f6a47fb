import ActivityPub
import Foundation
import RuleEngine

/// Writes verdicts as readable text or as one JSON object per line, and counts outcomes for the exit status.
struct VerdictPrinter {
    let format: Check.Format
    private(set) var heldOrRejected = 0
    private(set) var failures = 0
    private var counts: [RuleAction: Int] = [:]
    init(format: Check.Format) {
        self.format = format
    }

    mutating func print(source: String, id: String?, verdict: Verdict) {
        counts[verdict.action, default: 0] += 1
        if verdict.action == .hold || verdict.action == .reject { heldOrRejected += 1 }
        switch format {
        case .json:
            emitJSON(JSONLine(id: id, source: source, verdict: verdict, error: nil))
        case .text:
            Swift.print(Self.describe(source: source, id: id, verdict: verdict))
        }
    }

    mutating func printError(source: String, id: String?, error: ActivityPubError) {
        failures += 1
        switch format {
        case .json:
            emitJSON(
                JSONLine(
                    id: id, source: source, verdict: nil,
                    error: JSONLine.Failure(code: error.code.rawValue, path: error.path, message: error.message)))
        case .text:
            let location = error.message.contains(error.path) ? "" : " (at \(error.path))"
            Swift.print("\(source): ERROR \(TerminalText.safe(error.message))\(TerminalText.safe(location))")
        }
    }

    func finish() {
        guard format == .text else { return }
        let total = counts.values.reduce(0, +) + failures
        guard total > 1 else { return }
        let parts = RuleAction.allCases.compactMap { action in counts[action].map { "\($0) \(action.rawValue)" } }
            + (failures > 0 ? ["\(failures) not evaluated"] : [])
        Swift.print("\(total) activities: " + parts.joined(separator: ", "))
    }

    private func emitJSON(_ line: JSONLine) {
        var bytes = line.json()
        bytes.append(UInt8(ascii: "\n"))
        FileHandle.standardOutput.write(Data(bytes))
    }

    static func describe(source: String, id: String?, verdict: Verdict) -> String {
        var lines = ["\(source): \(verdict.action.rawValue.uppercased()) (score \(FieldValue.number(verdict.score)))" + (id.map { "  \(TerminalText.safe($0))" } ?? "")]
        for hit in verdict.hits {
            let contribution = [hit.score != 0 || hit.action == nil ? signed(hit.score) : nil, hit.action.map { "forces \($0.rawValue)" }]
                .compactMap { $0 }.joined(separator: ", ")
            lines.append("  + \(hit.rule)  \(contribution)  \(hit.description)")
            for evidence in hit.evidence { lines.append("      " + describe(evidence)) }
        }
        for hit in verdict.shadowHits {
            lines.append("  ~ \(hit.rule)  shadow, would add \(signed(hit.score))" + (hit.action.map { " and force \($0.rawValue)" } ?? "") + "  \(hit.description)")
            for evidence in hit.evidence { lines.append("      " + describe(evidence)) }
        }
        for failure in verdict.errors {
            lines.append("  ! \(failure.rule) errored: \(failure.message)")
        }
        if verdict.hits.isEmpty, verdict.shadowHits.isEmpty, verdict.errors.isEmpty {
            lines.append("  no rule fired")
        }
        return lines.joined(separator: "\n")
    }

    static func describe(_ evidence: Evidence) -> String {
        guard let span = evidence.span else { return TerminalText.safe(evidence.detail) }
        let form = span.form == "raw" ? " (raw)" : ""
        return "\(evidence.field)\(form) chars \(span.characterStart)–\(span.characterEnd): \(TerminalText.safe(span.excerpt))"
    }

    static func signed(_ score: Double) -> String {
        score >= 0 ? "+\(FieldValue.number(score))" : "\(FieldValue.number(score))"
    }
}

/// One line of `herdwatch check --format json`.
struct JSONLine {
    struct Failure {
        var code: String
        var path: String
        var message: String
    }

    var id: String?
    var source: String
    var verdict: Verdict?
    var error: Failure?

    /// The line's bytes: sorted snake_case keys, slashes unescaped, exactly what `JSONEncoder` wrote before
    /// (`VerdictJSONTests` compares the verdict parts), several times faster.
    func json() -> [UInt8] {
        var writer = JSONWriter()
        if let verdict {
            writer.verdict(verdict, adding: [("id", { $0.value(id) }), ("source", { $0.value(source) })])
            return writer.bytes
        }
        writer.object { json in
            json.member("action", nil as String?)
            json.key("error")
            if let error {
                json.object { json in
                    json.member("code", error.code)
                    json.member("message", error.message)
                    json.member("path", error.path)
                }
            } else {
                json.value(nil as String?)
            }
            json.member("id", id)
            json.member("source", source)
        }
        return writer.bytes
    }
}
