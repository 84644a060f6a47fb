/// A Mastodon-style `Create{Note}` of about 3 KB: HTML paragraphs, links, hashtags, a mention, addressing and
/// an image attachment. The benign text matches no generated rule; `spam` sentences are appended as one more
/// paragraph to make the "few matches" text.
enum BenchNote {
    static func activity(spam: [String] = []) -> [UInt8] {
        var paragraphs = benignParagraphs
        if !spam.isEmpty {
            paragraphs.append("<p>" + spam.map(escapeHTML).joined(separator: " ") + "</p>")
        }
        let base = "https://town.example/users/riverside_garden"
        let status = "\(base)/statuses/112233445566778899"
        let object = """
            {"id":"\(status)","type":"Note","summary":null,"inReplyTo":null,"published":"2024-05-04T08:15:00Z",\
            "url":"https://town.example/@riverside_garden/112233445566778899","attributedTo":"\(base)",\
            "to":["https://www.w3.org/ns/activitystreams#Public"],\
            "cc":["\(base)/followers","https://social.example/users/marta"],"sensitive":false,\
            "conversation":"tag:town.example,2024-05-04:objectId=9912345:objectType=Conversation",\
            "content":"\(escapeJSON(paragraphs.joined()))",\
            "attachment":[{"type":"Document","mediaType":"image/jpeg",\
            "url":"https://files.town.example/media_attachments/files/112/233/445/original/5f0c1d2e3a4b.jpeg",\
            "name":"Two raised beds by the east gate, one half dug over, with a wheelbarrow of compost beside them",\
            "blurhash":"UBL_:rOpGG-oBUNG,qRj2so|=eE1w^n4S5NH","width":1600,"height":1200}],\
            "tag":[{"type":"Mention","href":"https://social.example/users/marta","name":"@marta@social.example"},\
            {"type":"Hashtag","href":"https://town.example/tags/gardening","name":"#gardening"},\
            {"type":"Hashtag","href":"https://town.example/tags/community","name":"#community"},\
            {"type":"Hashtag","href":"https://town.example/tags/compost","name":"#compost"}]}
            """
        let activity = """
            {"@context":["https://www.w3.org/ns/activitystreams",{"ostatus":"http://ostatus.org#",\
            "atomUri":"ostatus:atomUri","inReplyToAtomUri":"ostatus:inReplyToAtomUri",\
            "conversation":"ostatus:conversation","sensitive":"as:sensitive","toot":"http://joinmastodon.org/ns#",\
            "blurhash":"toot:blurhash",\
            "Hashtag":"as:Hashtag"}],\
            "id":"\(status)/activity","type":"Create","actor":"\(base)","published":"2024-05-04T08:15:00Z",\
            "to":["https://www.w3.org/ns/activitystreams#Public"],\
            "cc":["\(base)/followers","https://social.example/users/marta"],"object":\(object)}
            """
        return Array(activity.utf8)
    }

    private static let benignParagraphs = [
        "<p>Spring work day at the Riverside Community Garden this Saturday, 10:00 to 15:00. We are rebuilding the "
            + "two raised beds by the east gate, turning the compost, and planting out the tomato and bean seedlings "
            + "that have been hardening off in the greenhouse since March.</p>",
        "<p>Bring gloves and a water bottle; there are spare tools in the shed and the kettle will be on all day. "
            + "Children are welcome: their bed needs sunflowers and a scarecrow.</p>",
        "<p>Schedule and plot map: <a href=\"https://gardens.example.org/riverside/spring-work-day-2024\" "
            + "rel=\"nofollow noopener noreferrer\" target=\"_blank\">gardens.example.org/riverside/spring-work-day</a>"
            + " (the garden is also on <a href=\"https://www.openstreetmap.org/way/123456789\" rel=\"nofollow noopener"
            + " noreferrer\" target=\"_blank\">OpenStreetMap</a>).</p>",
        "<p>Questions? Reply here or ask <span class=\"h-card\" translate=\"no\"><a href=\"https://social.example/@marta\" "
            + "class=\"u-url mention\">@<span>marta</span></a></span>, who coordinates the work days. "
            + "<a href=\"https://town.example/tags/gardening\" class=\"mention hashtag\" rel=\"tag\">#<span>gardening</span></a> "
            + "<a href=\"https://town.example/tags/community\" class=\"mention hashtag\" rel=\"tag\">#<span>community</span></a> "
            + "<a href=\"https://town.example/tags/compost\" class=\"mention hashtag\" rel=\"tag\">#<span>compost</span></a></p>",
    ]

    private static func escapeHTML(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    private static func escapeJSON(_ text: String) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case _ where scalar.value < 0x20: escaped += "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}
