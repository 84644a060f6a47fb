public import Foundation
public import Reputation

/// What the signature of a delivery established.
public enum SignatureCheck: Sendable, Equatable {
    /// Verified against the key of `signer`.
    case verified(signer: String, keyID: String, created: Date?)
    /// No signature at all.
    case unsigned
    /// A signature that did not verify, or whose key could not be had; `code` is the error's code.
    case failed(code: String, reason: String)

    /// How reputation may use the delivery: only verified evidence may raise trust.
    public var status: SignatureStatus {
        switch self {
        case .verified: .verified
        case .unsigned: .unsigned
        case .failed: .failed
        }
    }

    public var signer: String? {
        if case .verified(let signer, _, _) = self { return signer }
        return nil
    }

    public var created: Date? {
        if case .verified(_, _, let created) = self { return created }
        return nil
    }
}
