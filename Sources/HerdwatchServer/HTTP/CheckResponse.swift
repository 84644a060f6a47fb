import Foundation
import ReviewQueue
import RuleEngine

/// The hook's answer: the verdict as `herdwatch check --format json` prints it, plus the signature outcome
/// and the case opened, if any.
struct CheckResponse: Encodable {
    struct SignatureInfo: Encodable {
        var status: String
        var signer: String?
        var reason: String?
    }

    struct CaseInfo: Encodable {
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

    enum CodingKeys: String, CodingKey {
        case id, action, score, hits, shadowHits, errors, rulesetVersion, signature, `case`, duplicate
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(action, forKey: .action)
        try container.encode(score, forKey: .score)
        try container.encode(hits, forKey: .hits)
        try container.encode(shadowHits, forKey: .shadowHits)
        try container.encode(errors, forKey: .errors)
        try container.encode(rulesetVersion, forKey: .rulesetVersion)
        try container.encode(signature, forKey: .signature)
        try container.encode(self.case, forKey: .case)
        try container.encode(duplicate, forKey: .duplicate)
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
