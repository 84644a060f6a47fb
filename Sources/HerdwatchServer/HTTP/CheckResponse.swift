import Foundation
import ReviewQueue
import RuleEngine

/// The hook's answer: the verdict as `herdwatch check --format json` prints it, plus the signature outcome
/// and the case opened, if any.
struct CheckResponse {
    struct SignatureInfo {
        var status: String
        var signer: String?
        var reason: String?
    }

    struct CaseInfo {
        var id: Int64
        var state: String
        /// True when the activity already had a case (a repeated delivery).
        var existing: Bool
    }

    var id: String?
    var action: RuleAction
    var score: Double
    var hits: [RuleHit]
    var shadowHits: [RuleHit]
    var errors: [RuleFailure]
    var rulesetVersion: String
    var signature: SignatureInfo
    var `case`: CaseInfo?
    var duplicate: Bool

    init(id: String?, outcome: Gate.Outcome, verdict: Verdict) {
        self.id = id
        action = verdict.action
        score = verdict.score
        hits = verdict.hits
        shadowHits = verdict.shadowHits
        errors = verdict.errors
        rulesetVersion = verdict.rulesetVersion
        signature = SignatureInfo(outcome.signature)
        if let opening = outcome.reviewCase {
            let reviewCase = opening.reviewCase
            var existing = false
            if case .duplicate = opening { existing = true }
            self.case = CaseInfo(id: reviewCase.id, state: reviewCase.state.rawValue, existing: existing)
        }
        duplicate = outcome.duplicate
    }

    /// The JSON answer, with the keys `herdwatch check --format json` prints.
    func json() -> [UInt8] {
        var writer = JSONWriter()
        writer.object { json in
            json.member("action", action.rawValue)
            json.key("case")
            if let reviewCase = self.case {
                json.object { json in
                    json.member("existing", reviewCase.existing)
                    json.member("id", Int(reviewCase.id))
                    json.member("state", reviewCase.state)
                }
            } else {
                json.value(nil as String?)
            }
            json.member("duplicate", duplicate)
            json.key("errors")
            json.array(errors) { json, failure in
                json.object { json in
                    json.member("message", failure.message)
                    json.member("rule", failure.rule)
                }
            }
            json.key("hits")
            Self.write(hits, into: &json)
            json.member("id", id)
            json.member("ruleset_version", rulesetVersion)
            json.member("score", score)
            json.key("shadow_hits")
            Self.write(shadowHits, into: &json)
            json.key("signature")
            json.object { json in
                if let reason = signature.reason { json.member("reason", reason) }
                if let signer = signature.signer { json.member("signer", signer) }
                json.member("status", signature.status)
            }
        }
        return writer.bytes
    }

    private static func write(_ hits: [RuleHit], into json: inout JSONWriter) {
        json.array(hits) { json, hit in
            json.object { json in
                if let action = hit.action { json.member("action", action.rawValue) }
                json.member("description", hit.description)
                json.key("evidence")
                json.array(hit.evidence) { json, evidence in
                    json.object { json in
                        json.member("detail", evidence.detail)
                        json.member("field", evidence.field)
                        json.member("kind", evidence.kind.rawValue)
                        if let span = evidence.span {
                            json.key("span")
                            json.object { json in
                                json.member("character_end", span.characterEnd)
                                json.member("character_start", span.characterStart)
                                json.member("excerpt", span.excerpt)
                                json.member("form", span.form)
                                json.member("utf8_end", span.utf8End)
                                json.member("utf8_start", span.utf8Start)
                            }
                        }
                    }
                }
                json.key("labels")
                json.array(hit.labels) { json, label in
                    json.object { json in
                        if let hours = label.hours { json.member("hours", hours) }
                        json.member("name", label.name)
                        json.member("scope", label.scope.rawValue)
                    }
                }
                json.member("rule", hit.rule)
                json.member("score", hit.score)
                json.key("tags")
                json.array(hit.tags) { json, tag in json.value(tag) }
            }
        }
    }
}

extension CheckResponse.SignatureInfo {
    init(_ check: SignatureCheck) {
        switch check {
        case .verified(let signer, _, _): self.init(status: "verified", signer: signer.isEmpty ? nil : signer, reason: nil)
        case .unsigned: self.init(status: "unsigned", signer: nil, reason: nil)
        case .failed(let code, let reason): self.init(status: "failed", signer: nil, reason: "\(reason) (\(code))")
        }
    }
}
