import Foundation
import Testing

@testable import ActivityPub

/// Every step between a request's bytes and its `Subject` runs before the sender is authenticated (for the check
/// hook, and with `signatures.mode: evaluate`), so each must take time linear in its input. Each test builds a
/// hostile input at about 1 KB, 10 KB, 100 KB and 1 MB and fails on superlinear growth: a linear step grows
/// about 10x from one size to the next, a quadratic one 100x.
@Suite(.serialized) struct LinearityTests {
    // MARK: - The patterns of issue 17

    @Test func urlTrailingPunctuationIsTrimmedInOnePass() {
        expectLinear { size in "see http://a" + String(repeating: ")", count: size) } step: { text in
            _ = URLScanner.urls(in: text)
        }
        #expect(URLScanner.urls(in: "http://a" + String(repeating: ")", count: 1000)) == ["http://a"])
    }

    @Test func unterminatedTagsAreScannedOnce() {
        expectLinear { size in String(repeating: "<a x", count: size / 4) } step: { html in
            _ = HTMLText(html: html)
        }
    }

    @Test func unclosedAttributeQuotesAreScannedOnce() {
        expectLinear { size in String(repeating: "<a x=\"", count: size / 6) } step: { html in
            _ = HTMLText(html: html)
        }
    }

    @Test func distinctURLsAreDeduplicatedWithASet() throws {
        try expectLinear { size in
            try note(content: (0..<(size / 28)).map { "http://host\($0).example/p " }.joined())
        } step: { activity in
            _ = Normalizer.subject(for: activity)
        }
        let many = try note(content: (0..<2000).map { "http://host\($0).example/p " }.joined())
        #expect(Normalizer.subject(for: many).links.count == Normalizer.maxLinks)
        #expect(HTMLText(html: (0..<2000).map { "http://host\($0).example/p " }.joined()).bareURLs.count == 2000)
    }

    @Test func distinctHashtagsAndMentionsAreDeduplicatedWithASet() throws {
        try expectLinear { size in
            let count = size / 120
            let tags = (0..<count).map {
                ##"{"type":"Hashtag","name":"#tag\##($0)"},{"type":"Mention","href":"https://h\##($0).example/u"}"##
            }
            return try note(content: "hi", extra: #","tag":[\#(tags.joined(separator: ","))]"#)
        } step: { activity in
            _ = Normalizer.subject(for: activity)
        }
        let tags = (0..<2000).map {
            ##"{"type":"Hashtag","name":"#tag\##($0)"},{"type":"Mention","href":"https://h\##($0).example/u"}"##
        }
        let tagged = try note(content: "hi", extra: #","tag":[\#(tags.joined(separator: ","))]"#)
        let subject = Normalizer.subject(for: tagged)
        #expect(subject.hashtags.count == Normalizer.maxHashtags)
        #expect(subject.mentions.count == Normalizer.maxMentions)
        #expect(subject.hashtags.first == "tag0")
    }

    @Test func hashtagAnchorsAreDeduplicatedWithASet() throws {
        try expectLinear { size in
            try note(content: (0..<(size / 40)).map { #"<a href="/t/\#($0)">#t\#($0)</a> "# }.joined())
        } step: { activity in
            _ = Normalizer.subject(for: activity)
        }
    }

    @Test func distinctMediaTypesAreDeduplicatedWithASet() throws {
        try expectLinear { size in
            let media = (0..<(size / 50)).map { #"{"type":"Document","mediaType":"image/x\#($0)"}"# }
            return try note(content: "hi", extra: #","attachment":[\#(media.joined(separator: ","))]"#)
        } step: { activity in
            _ = Normalizer.subject(for: activity)
        }
    }

    @Test func longInternationalHostsAreRefusedBeforeIDNA() {
        expectLinear { size in "http://" + String(repeating: "ü", count: size / 2) + ".example/" } step: { url in
            _ = Hostname.host(ofURL: url)
        }
        expectLinear { size in String(repeating: "ü", count: size / 2) } step: { host in
            _ = Hostname.normalize(host)
        }
        #expect(Hostname.host(ofURL: "http://" + String(repeating: "ü", count: 50_000) + ".example/") == nil)
        // A DNS label holds at most 63 bytes of Punycode.
        #expect(Hostname.normalize(String(repeating: "ü", count: 64) + ".example") == nil)
        #expect(Hostname.normalize(String(repeating: "ü", count: 56) + ".example") != nil)
    }

    @Test func longPunycodeLabelsAreNotDecoded() {
        // Each `a` decodes to one U+0080, inserted at the front: quadratic in the label's length.
        expectLinear { size in "xn--" + String(repeating: "a", count: size) + ".example" } step: { host in
            _ = Hostname.unicode(host)
        }
        let long = "xn--" + String(repeating: "a", count: 64) + ".example"
        #expect(Hostname.unicode(long) == long)
    }

    // MARK: - Other steps

    @Test func misskeyContentIsSearchedInLinearTime() throws {
        // The byte search that decides whether `_misskey_content` repeats `content` was naive: n × m.
        try expectLinear { size in
            try note(
                content: String(repeating: "a", count: size / 2),
                extra: #","_misskey_content":"\#(String(repeating: "a", count: size / 4))b""#)
        } step: { activity in
            _ = Normalizer.subject(for: activity)
        }
        let repeated = Normalizer.subject(for: try note(content: "one two three", extra: #","_misskey_content":"two""#))
        #expect(repeated.text(.content) == "one two three")
        let added = Normalizer.subject(
            for: try note(content: "one two three", extra: #","_misskey_content":"twofold""#))
        #expect(added.text(.content) == "one two three\n\ntwofold")
    }

    @Test func bareURLsAmongManyAnchorsAreCheckedAgainstThemOnce() {
        // Each bare URL was tested against every anchor's range.
        expectLinear { size in
            String(repeating: #"<a href="http://a.example/">a</a> http://b.example/ "#, count: size / 50)
        } step: { html in
            _ = HTMLText(html: html)
        }
        let html =
            #"<a href="http://a.example/">http://a.example/</a> http://b.example/ <a href="http://c.example/">x</a>"#
        #expect(HTMLText(html: html).bareURLs == ["http://b.example/"])
    }

    @Test func entitiesAndTextAreConvertedInLinearTime() {
        let sample = "&#12345678901234567890&amp &unknownentity; <br>"
        expectLinear { size in String(repeating: sample, count: size / sample.utf8.count) } step: { html in
            _ = HTMLText(html: html)
        }
    }

    @Test func objectsWithManyKeysAreDecodedInLinearTime() {
        expectLinear { size in
            let keys = (0..<(size / 16)).map { #""k\#($0)":"v","# }.joined()
            return #"{\#(keys)"type":"Create","actor":"https://a.example/u","object":{"type":"Note","content":"hi"}}"#
        } step: { json in
            if let activity = try? Activity.decode(Array(json.utf8)) { _ = Normalizer.subject(for: activity) }
        }
    }

    @Test func longURLsAreParsedInLinearTime() {
        expectLinear { size in "http://" + String(repeating: "u@", count: size / 2) + "host.example/" } step: { url in
            _ = URLAuthority(parsing: url)
        }
        expectLinear { size in "http://host.example/" + String(repeating: "\\", count: size) } step: { url in
            _ = URLAuthority(parsing: url)
        }
    }

    // MARK: - Support

    /// An activity whose `Note` has `content` and the members in `extra` (each with a leading comma).
    private func note(content: String, extra: String = "") throws -> Activity {
        let escaped = content.replacingOccurrences(of: "\"", with: "\\\"")
        let object = #"{"type":"Note","content":"\#(escaped)"\#(extra)}"#
        let json = #"{"type":"Create","actor":"https://a.example/u","object":\#(object)}"#
        return try Activity.decode(Array(json.utf8))
    }

    /// Times `step` on inputs of 1 KB, 10 KB, 100 KB and 1 MB and expects each size to take at most 40 times as
    /// long as the one ten times smaller (a linear step takes about 10 times, a quadratic one 100 times), at most
    /// 400 times from 10 KB to 1 MB, and the 1 MB input in under 5 seconds (the slowest step takes 0.3 s on an
    /// idle machine; 5 s leaves room for one whose cores are busy, and still catches hours).
    ///
    /// Made to hold on a loaded two-core machine in a debug build. A small input is run again and again for at
    /// least 50 ms and timed per run, so that every measurement spans many scheduler time slices, as the 1 MB
    /// one does (a run shorter than a slice is never preempted, and would make a loaded machine look
    /// superlinear). The sizes are timed in turn, round after round, so that load slows them alike; each size's
    /// best time counts; a smaller time is read as at least 200 µs; and the rounds go on (at least 2, at most
    /// 10, for up to 20 seconds) until the times pass. A size that takes 60 times as long as the one before ends
    /// its round, so that a quadratic step fails in one round instead of running its largest input for hours.
    private func expectLinear<Input>(
        sourceLocation: SourceLocation = #_sourceLocation, input: (Int) throws -> Input, step: (Input) -> Void
    ) rethrows {
        let sizes = [1_000, 10_000, 100_000, 1_000_000]
        let inputs = try sizes.map(input)
        let floor = Duration.microseconds(200)
        let clock = ContinuousClock()
        let started = clock.now
        var best = [Duration?](repeating: nil, count: sizes.count)
        func failures() -> [String] {
            var failures: [String] = []
            for index in 1..<sizes.count {
                guard let previous = best[index - 1], let time = best[index] else {
                    failures.append("\(sizes[index]) bytes never ran: the smaller input was already too slow")
                    break
                }
                if time > max(previous, floor) * 40 {
                    failures.append("superlinear: \(sizes[index - 1]) bytes took \(previous), \(sizes[index]) took \(time)")
                }
            }
            if let small = best[1], let large = best[3] {
                if large / max(small, floor) > 400 { failures.append("10 KB took \(small), 1 MB took \(large)") }
                if large > .seconds(5) { failures.append("1 MB took \(large)") }
            }
            return failures
        }
        for round in 1...10 {
            for index in sizes.indices {
                let runStart = clock.now
                var runs = 0
                repeat {
                    step(inputs[index])
                    runs += 1
                } while clock.now - runStart < .milliseconds(50)
                let time = (clock.now - runStart) / runs
                best[index] = min(best[index] ?? time, time)
                if index > 0, let previous = best[index - 1], time > max(previous, floor) * 60 { break }
            }
            if round >= 2, failures().isEmpty { return }
            if clock.now - started > .seconds(20) { break }
        }
        for failure in failures() { Issue.record(Comment(rawValue: failure), sourceLocation: sourceLocation) }
    }
}
