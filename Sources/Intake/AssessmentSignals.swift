public import ActivityPub
public import RuleEngine

/// Reputation signals plus what the delivery's signature says, for rules to read:
/// `signature.verified` (1 when verified, else 0) and `signature.actor_mismatch` (1 when a verified signer is
/// not the activity's actor).
public struct AssessmentSignals: Signals {
    public var reputation: (any Signals)?
    public var signature: SignatureCheck
    public var actorMismatch: Bool

    public init(reputation: (any Signals)?, signature: SignatureCheck, actorMismatch: Bool) {
        self.reputation = reputation
        self.signature = signature
        self.actorMismatch = actorMismatch
    }

    public func value(of signal: String, for subject: Subject) -> Double? {
        switch signal {
        case "signature.verified":
            if case .verified = signature { return 1 }
            return 0
        case "signature.actor_mismatch":
            return actorMismatch ? 1 : 0
        default:
            return reputation?.value(of: signal, for: subject)
        }
    }
}
