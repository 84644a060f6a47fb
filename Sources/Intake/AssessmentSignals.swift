public import ActivityPub
import Blocklists
public import Reputation
public import RuleEngine

/// Reputation signals plus what the delivery's signature says, for rules to read:
/// `signature.verified` (1 when verified, else 0) and `signature.actor_mismatch` (1 when a verified signer is
/// not the activity's actor); and what the applied blocklist says: `domain.silenced` (1 when an applied block
/// silences the sender's domain) and `domain.peer_listed` (1 when a subscribed list names it, or reputation says so);
/// and what the local follow graph says (`FollowSignals`: `actor.followed_by_local`, `mentions.local`, …).
public struct AssessmentSignals: Signals {
    public var reputation: (any Signals)?
    public var signature: SignatureCheck
    public var actorMismatch: Bool
    public var domainBlock: DomainBlockStatus
    public var follows: FollowSignals

    public init(
        reputation: (any Signals)?, signature: SignatureCheck, actorMismatch: Bool, domainBlock: DomainBlockStatus = .clear,
        follows: FollowSignals = .zero
    ) {
        self.reputation = reputation
        self.signature = signature
        self.actorMismatch = actorMismatch
        self.domainBlock = domainBlock
        self.follows = follows
    }

    public func value(of signal: String, for subject: Subject) -> Double? {
        switch signal {
        case "signature.verified":
            if case .verified = signature { return 1 }
            return 0
        case "signature.actor_mismatch":
            return actorMismatch ? 1 : 0
        case "domain.silenced":
            return domainBlock.block?.severity == .silence ? 1 : 0
        case "domain.peer_listed" where domainBlock.peerListed:
            return 1
        default:
            return reputation?.value(of: signal, for: subject) ?? follows.value(of: signal)
        }
    }
}
