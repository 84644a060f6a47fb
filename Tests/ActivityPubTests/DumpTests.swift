import Testing
import Foundation
@testable import ActivityPub

@Test func dump() throws {
    for name in try Fixtures.names(in: "activities") {
        let activity = try Activity.decode(try Fixtures.bytes("activities", name))
        let s = Normalizer.subject(for: activity)
        print("== \(name)")
        print("  type=\(s.activityType) obj=\(s.objectType ?? "nil") match=\(s.matchTypes.sorted()) vis=\(s.visibility) actorHost=\(s.actorHost ?? "nil") objID=\(s.objectID ?? "nil")")
        print("  mentions=\(s.mentions.count) hosts=\(s.mentionHosts) hashtags=\(s.hashtags) quote=\(s.quoteTarget ?? "nil") att=\(s.attachmentCount) media=\(s.mediaTypes) lang=\(s.languages) reply=\(s.isReply) reaction=\(s.reaction ?? "nil") flag=\(s.flagTargets) poll=\(s.pollOptions)")
        print("  links=\(s.links.map { "\($0.url) [\($0.host) / \($0.registrableDomain ?? "nil")]" })")
        for f in TextField.allCases { if let t = s.texts[f] { print("  \(f.rawValue): \(t.debugDescription)") } }
    }
}
