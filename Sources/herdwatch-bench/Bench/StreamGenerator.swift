import Foundation
import Harness

/// A deterministic mixed stream for `bench stream`: ordinary posts, spam campaigns, reactions and follows.
struct StreamGenerator {
    let count: Int

    static let words = """
        the a of and to in is it you that he was for on are with as his they be at one have this from or had by
        hot word but what some we can out other were all there when up use your how said an each she which do
        their time if will way about many then them write would like so these her long make thing see him two
        has look more day could go come did number sound no most people my over know water than call first who
        may down side been now find any new work part take get place made live where after back little only
        round man year came show every good me give our under name very through just form sentence great think
        garden bread train river music library weekend coffee bicycle kitten mountain harbour festival recipe
        """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)

    static let campaigns = [
        "Limited offer for everyone in the fediverse join our new server today and get verified instantly",
        "Crypto giveaway is live claim your free tokens before the event closes tonight do not miss it",
        "Check out this amazing deal on designer watches only today with free shipping worldwide hurry",
        "画像が貼れなかったのでメンションだけします 荒らし共栄圏へようこそ 今すぐ参加してください",
        "Support our cause and donate now every contribution counts please share with all your friends",
    ]

    func write(to path: String) throws {
        var generator = SplitMix64(seed: 0x5eed_f00d)
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path)
        else { throw fail("cannot write \(path)") }
        defer { try? handle.close() }
        let start = 1_717_200_000.0
        var chunk = ""
        // One formatter for the whole stream: the static `ISO8601DateFormatter.string` builds one per call.
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = .gmt
        formatter.formatOptions = [.withInternetDateTime]
        for index in 0..<count {
            let at = formatter.string(from: Date(timeIntervalSince1970: start + Double(index) * 0.2))
            let roll = Int.random(in: 0..<100, using: &generator)
            let line: String
            if roll < 70 {
                let actor = "https://community\(Int.random(in: 0..<400, using: &generator)).example/users/person\(Int.random(in: 0..<20_000, using: &generator))"
                let text = (0..<Int.random(in: 8...40, using: &generator)).map { _ in Self.words.randomElement(using: &generator)! }
                    .joined(separator: " ")
                let mentions = Int.random(in: 0..<10, using: &generator) < 2 ? 1 : 0
                let link = Int.random(in: 0..<10, using: &generator) == 0 ? " <a href='https://news\(index % 50).example/story/\(index)'>story</a>" : ""
                line = Self.note(id: index, actor: actor, at: at, html: "<p>\(text)\(link)</p>", mentions: mentions)
            } else if roll < 90 {
                let campaign = Int.random(in: 0..<Self.campaigns.count, using: &generator)
                let actor = "https://open\(campaign)-\(Int.random(in: 0..<20, using: &generator)).example/users/\(String(UInt32.random(in: 0...UInt32.max, using: &generator), radix: 36))"
                let suffix = String(UInt16.random(in: 0...UInt16.max, using: &generator), radix: 36)
                line = Self.note(
                    id: index, actor: actor, at: at,
                    html: "<p><a href='https://promo\(campaign).example/\(suffix)'>https://promo\(campaign).example/\(suffix)</a> \(Self.campaigns[campaign]) \(suffix)</p>",
                    mentions: 4)
            } else {
                let actor = "https://community\(Int.random(in: 0..<400, using: &generator)).example/users/person\(Int.random(in: 0..<20_000, using: &generator))"
                let type = ["Like", "Follow", "Announce"][Int.random(in: 0..<3, using: &generator)]
                line = #"{"id":"\#(actor)/\#(type.lowercased())/\#(index)","type":"\#(type)","actor":"\#(actor)","published":"\#(at)","object":"https://here.example/users/me/statuses/\#(index % 997)"}"#
            }
            chunk += line + "\n"
            if chunk.utf8.count > 1 << 20 {
                handle.write(Data(chunk.utf8))
                chunk = ""
            }
        }
        handle.write(Data(chunk.utf8))
    }

    static func note(id: Int, actor: String, at: String, html: String, mentions: Int) -> String {
        let tags = (0..<mentions).map { #"{"type":"Mention","href":"https://misskey\#($0).example/users/u\#(id % 1_000 + $0)"}"# }
            .joined(separator: ",")
        let escaped = html.replacingOccurrences(of: "\"", with: "\\\"")
        return #"{"@context":"https://www.w3.org/ns/activitystreams","id":"\#(actor)/statuses/\#(id)/activity","type":"Create","actor":"\#(actor)","published":"\#(at)","to":["https://www.w3.org/ns/activitystreams#Public"],"cc":["\#(actor)/followers"],"object":{"id":"\#(actor)/statuses/\#(id)","type":"Note","attributedTo":"\#(actor)","published":"\#(at)","to":["https://www.w3.org/ns/activitystreams#Public"],"content":"\#(escaped)","tag":[\#(tags)]}}"#
    }
}
