import Foundation

/// Why a domain is blocked: one label of a small shared vocabulary, so that lists can be merged and trusted per
/// reason ("trust this list for spam and csam only"). Free text belongs in the comments.
///
/// The raw values are the tags written to RapidBlock's `tags` and read from it and from Garden Fence's comments.
public enum BlockReason: String, Sendable, Hashable, CaseIterable, Comparable, Codable {
    case spam
    case harassment
    case hate
    case csam
    case illegal
    case misinformation
    case impersonation
    case malware
    case scraping
    case nonconsensualImagery = "nonconsensual-imagery"
    case unmoderated
    case evasion

    /// The label for `tag`, read case-insensitively and with the common spellings lists use; nil when the tag is
    /// outside the vocabulary.
    public init?(tag: String) {
        let folded = tag.trimmingCharacters(in: .whitespaces).lowercased()
        if let reason = BlockReason(rawValue: folded) {
            self = reason
            return
        }
        switch folded {
        case "bigotry", "racism", "transphobia", "homophobia", "antisemitism", "fascism", "nazism": self = .hate
        case "abuse", "trolling", "dogpiling": self = .harassment
        case "cp", "child-abuse", "child sexual abuse material": self = .csam
        case "disinformation", "conspiracy": self = .misinformation
        case "crawler", "scraper", "scrapers": self = .scraping
        case "ban-evasion", "block-evasion": self = .evasion
        case "lack of moderation", "no moderation", "unmoderated instance": self = .unmoderated
        case "ncii", "revenge-porn": self = .nonconsensualImagery
        default: return nil
        }
    }

    public static func < (lhs: BlockReason, rhs: BlockReason) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}
