import Foundation

extension Subject {
    /// Adds the links read from the post's media (the texts of QR codes in its images) to `links`, marked
    /// `fromMedia`, so that link and domain rules see them as they see written links. A text with an `http(s)`
    /// scheme is taken as it is; one written without a scheme (`invite.example/x`, as codes often are) is read as
    /// `https://`; anything else (a phone number, plain words) is not a link. Links already in the post are
    /// not added twice, and `Normalizer.maxLinks` still caps the total.
    public mutating func addMediaLinks(_ codes: [String], suffixList: PublicSuffixList = .shared) {
        var known = Set(links.map(\.url))
        for text in codes {
            guard links.count < Normalizer.maxLinks, let url = Self.mediaLinkURL(text), known.insert(url).inserted,
                let host = Hostname.host(ofURL: url)
            else { continue }
            links.append(
                LinkRef(
                    url: url, host: host, registrableDomain: suffixList.registrableDomain(ofNormalized: host),
                    fromMedia: true))
        }
        if !links.isEmpty { self.texts[.links] = links.map(\.url).joined(separator: "\n") }
    }

    /// The URLs that came from media (`links.from_media` in rules).
    public var mediaLinks: [String] { links.filter(\.fromMedia).map(\.url) }

    private static func mediaLinkURL(_ raw: String) -> String? {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, text.utf8.count <= 2_048, !text.contains(where: \.isWhitespace) else { return nil }
        let lowered = text.lowercased()
        if lowered.hasPrefix("http://") || lowered.hasPrefix("https://") { return text }
        // No scheme: a host with a dot, then perhaps a path.
        guard !lowered.contains("://"), let host = text.split(separator: "/", maxSplits: 1).first, host.contains("."),
            !host.contains("@"), !host.contains(":")
        else { return nil }
        return "https://" + text
    }
}
