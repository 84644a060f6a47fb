import Matching

/// The text that campaign fingerprints are computed from: what stays the same when a spam wave varies its
/// posts per target.
///
/// Spam waves send the same text from many accounts with small changes: other mentions, another link path, a
/// random suffix, an emoji, other amounts. Starting from ``TextFolding/matchingForm(_:)`` (so look-alike and
/// fullwidth letters count as the letters they imitate), normalisation
/// - replaces each link with `⟨url⟩`, keeping nothing of it, since waves vary hosts as well as paths;
///   a link is `http://` or `https://` or a bare `host.tld/` and its path, which ends at a space or at
///   non-ASCII text (`詳しくはhttps://荒らし.com/を見て` keeps `を見て`);
/// - removes `@user` and `@user@host` mentions, which name the targets rather than say anything;
/// - replaces each word that contains a digit with `⟨n⟩`: amounts, dates, and random suffixes such as `xk3p9`;
/// - drops emoji, punctuation and symbols, which separate words; apostrophes inside words are removed
///   (`don't` → `dont`);
/// - separates words from runs of scripts written without spaces (Chinese, Japanese, Thai, …), and collapses
///   whitespace to single spaces.
///
/// A post that is only links and mentions normalises to little or nothing, and gets no fingerprint: such waves
/// are caught by mention-count and link rules instead.
public enum CampaignText {
    /// The normalised form of `text`; see ``CampaignText`` for the steps.
    public static func normalize(_ text: String) -> String {
        String(decoding: normalizedUTF8(text), as: UTF8.self)
    }

    static let urlToken: [UInt8] = Array("⟨url⟩".utf8)
    static let numberToken: [UInt8] = Array("⟨n⟩".utf8)

    static func normalizedUTF8(_ text: String) -> [UInt8] {
        var folded = TextFolding.matchingForm(text)
        return folded.withUTF8 { input in
            [UInt8](unsafeUninitializedCapacity: CampaignTextScanner.outputCapacity(forInputCount: input.count)) {
                output, count in
                var scanner = CampaignTextScanner(input, into: output)
                count = scanner.normalize()
            }
        }
    }
}
