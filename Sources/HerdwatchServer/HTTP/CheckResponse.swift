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
    var verdict: Verdict
    var signature: SignatureInfo
    var `case`: CaseInfo?
    var duplicate: Bool

    init(id: String?, outcome: Gate.Outcome, verdict: Verdict) {
        self.id = id
        self.verdict = verdict
        signature = SignatureInfo(outcome.signature)
        if let opening = outcome.reviewCase {
            let reviewCase = opening.reviewCase
            var existing = false
            if case .duplicate = opening { existing = true }
            self.case = CaseInfo(id: reviewCase.id, state: reviewCase.state.rawValue, existing: existing)
        }
        duplicate = outcome.duplicate
    }

    /// The JSON answer: the verdict as `herdwatch check --format json` prints it, with the case, duplicate and
    /// signature members.
    func json() -> [UInt8] {
        var writer = JSONWriter()
        let signature = self.signature
        let reviewCase = self.case
        let duplicate = self.duplicate
        let id = self.id
        writer.verdict(
            verdict,
            adding: [
                (
                    "case",
                    { json in
                        guard let reviewCase else { return json.value(nil as String?) }
                        json.object { json in
                            json.member("existing", reviewCase.existing)
                            json.member("id", Int(reviewCase.id))
                            json.member("state", reviewCase.state)
                        }
                    }
                ),
                ("duplicate", { $0.value(duplicate) }),
                ("id", { $0.value(id) }),
                (
                    "signature",
                    { json in
                        json.object { json in
                            if let reason = signature.reason { json.member("reason", reason) }
                            if let signer = signature.signer { json.member("signer", signer) }
                            json.member("status", signature.status)
                        }
                    }
                ),
            ])
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
