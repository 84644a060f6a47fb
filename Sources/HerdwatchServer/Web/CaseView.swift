import ActivityPub
import Foundation
import ReviewQueue
import RuleEngine

/// The values of the case page. Everything from the post is passed as text: the template escapes it, and nothing
/// from the post ever becomes an attribute that loads or links anything.
enum CaseView {
    /// One run of the post's text, highlighted when a rule matched it.
    struct Segment {
        var text: String
        var rules: [String]
    }

    /// Longest post text shown; the rest is cut with a note (the full activity stays in the evidence).
    static let maxShownBytes = 100_000
    /// Most attachments shown (and fetchable through the media proxy) per case.
    static let maxMedia = 20

    static func values(for reviewCase: ReviewCase, now: Date, showPersonalData: Bool) -> [String: Any] {
        let activity = try? Activity.decode(reviewCase.body)
        let actor = reviewCase.actorDocument.flatMap { bytes in (try? JSONValue.parse(bytes)).flatMap { try? Actor(json: $0) } }
        let subject = activity.map { Normalizer.subject(for: $0, actor: actor, now: now) }
        let content = subject?.text(.content) ?? ""
        let segments = highlight(content, hits: reviewCase.verdict.hits)
        let actorID = reviewCase.actorID ?? subject?.actorID ?? ""
        var values: [String: Any] = [
            "id": String(reviewCase.id), "version": String(reviewCase.version), "state": reviewCase.state.rawValue,
            "stateLabel": WebRoutes.stateLabel(reviewCase), "action": reviewCase.action.rawValue,
            "score": WebRoutes.format(reviewCase.verdict.score), "priority": String(reviewCase.priority),
            "openedAt": WebRoutes.iso(reviewCase.openedAt), "age": WebRoutes.age(from: reviewCase.openedAt, to: now),
            "duplicates": reviewCase.duplicateDeliveries > 0 ? String(reviewCase.duplicateDeliveries) : "",
            "activityType": subject?.activityType ?? "unreadable activity",
            "summary": subject?.text(.summary) ?? "",
            "segments": segments.map { ["text": $0.text, "hit": !$0.rules.isEmpty, "rules": $0.rules.joined(separator: ", ")] as [String: Any] },
            "actorID": actorID, "signer": reviewCase.signer ?? "",
            "domain": Hostname.host(ofID: reviewCase.signer ?? actorID) ?? "unknown",
            "displayName": subject?.actor?.displayName ?? "",
            "username": subject?.actor?.username ?? "",
            "bio": subject?.actor?.bio ?? "",
            "accountAge": subject?.actor?.published.map { WebRoutes.age(from: $0, to: now) } ?? "",
        ]
        if let digest = reviewCase.evidenceDigest {
            values["evidenceDigest"] = digest
            values["evidenceIntact"] = reviewCase.currentEvidenceDigest == digest
        }
        let links = subject.map { Array($0.links.map(\.url).prefix(50)) } ?? []
        values["links"] = links
        values["hasLinks"] = !links.isEmpty
        let mentions = subject.map { Array($0.mentions.map { $0.name ?? $0.href }.prefix(50)) } ?? []
        values["mentions"] = mentions
        values["hasMentions"] = !mentions.isEmpty
        let hashtags = subject.map { Array($0.hashtags.prefix(50)) } ?? []
        values["hashtags"] = hashtags
        values["hasHashtags"] = !hashtags.isEmpty
        let media = activity.map(attachments(of:)) ?? []
        values["media"] = media.prefix(maxMedia).enumerated().map { index, attachment in
            [
                "type": attachment.mediaType ?? attachment.type, "url": attachment.url ?? "", "description": attachment.name ?? "",
                "index": String(index), "caseID": String(reviewCase.id),
            ]
        }
        values["hasMedia"] = !media.isEmpty
        values["hits"] = reviewCase.verdict.hits.map { hit in
            [
                "rule": hit.rule, "description": hit.description, "score": WebRoutes.format(hit.score),
                "action": hit.action?.rawValue ?? "", "tags": hit.tags,
                "evidence": hit.evidence.map { evidence in
                    evidence.span.map { "\(evidence.detail): “\($0.excerpt)” in \(evidence.field)" } ?? evidence.detail
                },
            ] as [String: Any]
        }
        if showPersonalData, let request = reviewCase.request {
            values["request"] = [
                "headers": request.headers.map { ["name": $0.name, "value": $0.value] }
            ]
        }
        return values
    }

    /// The post's text cut into runs at the edges of the spans rules matched. Overlapping spans merge into one
    /// highlighted run naming every rule. Spans in the raw form are used as they are; spans in the folded form
    /// only when the text is ASCII, whose folding keeps every byte in place (lowercase, leetspeak digits), so the
    /// offsets are the same. Other folded matches are listed with their excerpt under "Why" but not highlighted.
    /// Offsets outside the text, or not on a character boundary, are ignored rather than trusted.
    static func highlight(_ text: String, hits: [RuleHit]) -> [Segment] {
        guard !text.isEmpty else { return [] }
        let bytes = Array(text.utf8.prefix(maxShownBytes))
        let foldsInPlace = text.utf8.allSatisfy { $0 < 0x80 }
        var ranges: [(range: Range<Int>, rule: String)] = []
        for hit in hits {
            for evidence in hit.evidence {
                guard evidence.field == TextField.content.rawValue, let span = evidence.span,
                    span.form == TextForm.raw.rawValue || (foldsInPlace && span.form == TextForm.folded.rawValue),
                    span.utf8Start >= 0, span.utf8Start < span.utf8End, span.utf8End <= bytes.count,
                    isBoundary(bytes, span.utf8Start), isBoundary(bytes, span.utf8End)
                else { continue }
                ranges.append((span.utf8Start..<span.utf8End, hit.rule))
            }
        }
        ranges.sort { $0.range.lowerBound < $1.range.lowerBound }
        var merged: [(range: Range<Int>, rules: [String])] = []
        for (range, rule) in ranges {
            if let last = merged.last, range.lowerBound < last.range.upperBound {
                let upper = max(last.range.upperBound, range.upperBound)
                merged[merged.count - 1] = (last.range.lowerBound..<upper, last.rules.contains(rule) ? last.rules : last.rules + [rule])
            } else {
                merged.append((range, [rule]))
            }
        }
        var segments: [Segment] = []
        var position = 0
        func piece(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
        for (range, rules) in merged {
            if position < range.lowerBound { segments.append(Segment(text: piece(position..<range.lowerBound), rules: [])) }
            segments.append(Segment(text: piece(range), rules: rules))
            position = range.upperBound
        }
        if position < bytes.count { segments.append(Segment(text: piece(position..<bytes.count), rules: [])) }
        if text.utf8.count > maxShownBytes { segments.append(Segment(text: "\n[… the rest of the post is not shown]", rules: [])) }
        return segments
    }

    private static func isBoundary(_ bytes: [UInt8], _ offset: Int) -> Bool {
        offset == bytes.count || bytes[offset] & 0xC0 != 0x80
    }

    static func attachments(of activity: Activity) -> [Attachment] {
        switch activity.object {
        case .object(let object)?: object.attachments.filter(\.isMedia)
        case .activity(let inner)?:
            if case .object(let object)? = inner.object { object.attachments.filter(\.isMedia) } else { [] }
        default: []
        }
    }
}
