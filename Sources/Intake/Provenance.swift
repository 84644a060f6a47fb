public import Reputation

/// Who stands behind a delivery: the signature as rules and reputation see it, the verified signer (kept even
/// when the rules see the delivery as unsigned, since cases show it and decisions are booked on it), and
/// whether that signer is someone other than the activity's actor.
public struct Provenance: Sendable {
    public var signature: SignatureCheck
    public var signer: String?
    public var actorMismatch: Bool

    public init(signature: SignatureCheck, signer: String?, actorMismatch: Bool) {
        self.signature = signature
        self.signer = signer
        self.actorMismatch = actorMismatch
    }

    /// What a verified signature establishes for `actorID`: a signer other than the actor is evidence nobody we
    /// can name vouched for, so the rules and reputation see the delivery as unsigned, with
    /// `signature.actor_mismatch` set.
    public init(checking signature: SignatureCheck, actorID: String?) {
        if let signer = signature.signer, signer != actorID {
            self.init(signature: .unsigned, signer: signer, actorMismatch: true)
        } else {
            self.init(signature: signature, signer: signature.signer, actorMismatch: false)
        }
    }

    /// What a caller vouches for when it replays a recording or verified the delivery itself: a stated
    /// `verified` names the actor as signer; `failed` and `unsigned` name nobody.
    public init(stated status: SignatureStatus, actorID: String?) {
        switch status {
        case .verified:
            self.init(signature: .verified(signer: actorID ?? "", keyID: "", created: nil), signer: actorID, actorMismatch: false)
        case .failed:
            self.init(signature: .failed(code: "stated", reason: "the caller says the signature failed"), signer: nil, actorMismatch: false)
        case .unsigned:
            self.init(signature: .unsigned, signer: nil, actorMismatch: false)
        }
    }
}
