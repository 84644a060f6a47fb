/// A near-duplicate fingerprint of a post, for finding spam campaigns: the same text sent from many accounts
/// with small changes per copy.
///
/// It is a MinHash signature over the shingles of ``CampaignText/normalize(_:)``: word 3-grams for scripts
/// written with spaces, character 3-grams for scripts written without (Japanese, Chinese, Thai), both in mixed
/// text, and 2- or 1-grams when there are too few words or characters for 3. Each of the 100 minima of two
/// posts agrees with probability equal to the Jaccard similarity of their shingle sets, which
/// ``similarity(to:)`` estimates.
///
/// To find candidates without comparing every pair, index ``bands``: 20 bands of 5 minima each. Posts of
/// similarity *s* share at least one band with probability 1 − (1 − *s*⁵)²⁰: 97.5 % at 0.7, 47 % at 0.5,
/// 19 % at 0.4, 0.6 % at 0.2 and 0.02 % at 0.1. Copies of one post that differ in mentions, links, numbers,
/// emoji or a random suffix stay above 0.7, while different people writing about the same news stay near 0.1,
/// so candidates found by band are then confirmed with ``similarity(to:)``.
///
/// Hashes are computed in code with fixed seeds (never `Hasher`, which is seeded per process), so a fingerprint
/// is the same on every machine and in every run, and can be stored.
public struct CampaignFingerprint: Sendable, Hashable {
    /// Changes whenever normalisation, shingling or hashing changes. Stores keep it with each campaign and
    /// read back only campaigns of this version: a fingerprint of another version cannot be compared with new
    /// ones, so such a campaign is not continued and a new one starts.
    public static let version = 1

    static let signatureLength = 100
    static let bandCount = 20
    static let rowsPerBand = 5

    /// The MinHash minima, one per hash function; what to store.
    public let signature: [UInt32]

    /// A stored fingerprint, or `nil` when `signature` does not have the length this version makes.
    public init?(signature: [UInt32]) {
        guard signature.count == Self.signatureLength else { return nil }
        self.signature = signature
    }

    /// The fingerprint of `text`, or `nil` when too little of it remains after normalisation to tell a campaign
    /// from coincidence: fewer than six words, or twelve characters of a script written without spaces (a word
    /// counts as two characters in mixed text). Greetings and one-liners are repeated by many people
    /// independently, and duplicate-text rules that counted them silenced real users.
    ///
    /// Texts seen recently are answered from ``RecentFingerprints``: the copies of a spam wave are fingerprinted once.
    public static func make(_ text: String) -> CampaignFingerprint? {
        RecentFingerprints.shared.fingerprint(of: text, compute: compute)
    }

    /// The fingerprint of `text`, computed.
    static func compute(_ text: String) -> CampaignFingerprint? {
        let normalized = CampaignText.normalizedUTF8(text)
        guard let signature = normalized.withUnsafeBufferPointer(minHashSignature(normalized:)) else { return nil }
        return CampaignFingerprint(signature: signature)
    }

    /// Locality-sensitive hashes of the signature: posts that share any band are candidates for one campaign.
    /// Each band's hash includes its index, so equal minima in different bands do not collide.
    public var bands: [UInt64] {
        (0..<Self.bandCount).map { band in
            var hash = StableHash.mix(Self.bandSeed ^ UInt64(band))
            for row in band * Self.rowsPerBand..<(band + 1) * Self.rowsPerBand {
                hash = StableHash.mix(hash ^ UInt64(signature[row]))
            }
            return hash
        }
    }

    /// The estimated Jaccard similarity of the two posts' shingle sets, from 0 (unrelated) to 1 (same text
    /// after normalisation).
    public func similarity(to other: CampaignFingerprint) -> Double {
        let equal = zip(signature, other.signature).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) }
        return Double(equal) / Double(signature.count)
    }
}
