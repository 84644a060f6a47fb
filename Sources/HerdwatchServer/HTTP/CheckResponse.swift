import ActivityPub
import Foundation
import Intake
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
            json.ruleFailures(errors)
            json.key("hits")
            json.ruleHits(hits)
            json.member("id", id)
            json.member("ruleset_version", rulesetVersion)
            json.member("score", score)
            json.key("shadow_hits")
            json.ruleHits(shadowHits)
            json.key("signature")
            json.object { json in
                if let reason = signature.reason { json.member("reason", reason) }
                if let signer = signature.signer { json.member("signer", signer) }
                json.member("status", signature.status)
            }
        }
        return writer.bytes
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
