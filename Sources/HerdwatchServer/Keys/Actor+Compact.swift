import ActivityPub

extension Actor {
    /// Caps on the profile texts a cached actor keeps, in UTF-8 bytes: well above what Mastodon lets a user
    /// write (30-character names, a 500-character bio, four 255-character fields), far below a document's size.
    enum CompactLimits {
        static let name = 512
        static let summary = 8_192
        static let fields = 16
        static let fieldName = 512
        static let fieldValue = 2_048
        static let reference = 2_048
    }

    /// The actor reduced to what the normaliser reads from a sender's profile (id, type, names, bio, fields,
    /// avatar, creation date, followers collection), long texts cut, with the bytes it takes. Whole documents
    /// (keys, endpoints, large bios, hundreds of fields) would fill the key cache.
    func compacted() -> (actor: Actor, bytes: Int) {
        var members = JSONObject()
        var bytes = 0
        func keep(_ name: String, _ value: String?, limit: Int) -> JSONValue? {
            guard let value else { return nil }
            let text = value.truncated(toUTF8Bytes: limit)
            bytes += name.utf8.count + text.utf8.count + 16
            return .string(text)
        }
        members["id"] = keep("id", id, limit: Int.max)
        members["type"] = keep("type", type, limit: CompactLimits.name)
        members["preferredUsername"] = keep("preferredUsername", preferredUsername, limit: CompactLimits.name)
        members["name"] = keep("name", name, limit: CompactLimits.name)
        members["summary"] = keep("summary", summary, limit: CompactLimits.summary)
        members["published"] = keep("published", json["published"]?.stringValue, limit: 64)
        if let followers, followers.utf8.count <= CompactLimits.reference {
            members["followers"] = keep("followers", followers, limit: CompactLimits.reference)
        }
        if hasAvatar { members["icon"] = keep("icon", "avatar", limit: CompactLimits.name) }
        // Fields as sent (HTML values), so the compact actor reads them exactly as the full one did.
        let properties = (json["attachment"].map { $0.arrayValue ?? [$0] } ?? [])
            .compactMap { Attachment(json: $0) }
            .filter { $0.type == "PropertyValue" && $0.name != nil }
            .prefix(CompactLimits.fields)
            .map { property -> JSONValue in
                var field: JSONObject = ["type": .string("PropertyValue")]
                field["name"] = keep("name", property.name, limit: CompactLimits.fieldName)
                field["value"] = keep("value", property.value, limit: CompactLimits.fieldValue)
                return .object(field)
            }
        if !properties.isEmpty { members["attachment"] = .array(properties) }
        // Cannot fail: the id, the one required member, is kept.
        let compact = (try? Actor(json: .object(members))) ?? self
        return (compact, bytes + 64)
    }
}

extension String {
    /// The longest prefix of whole Unicode scalars within `limit` UTF-8 bytes.
    func truncated(toUTF8Bytes limit: Int) -> String {
        guard utf8.count > limit else { return self }
        var end = utf8.index(utf8.startIndex, offsetBy: limit)
        while end > utf8.startIndex, UTF8.isContinuation(utf8[end]) {
            end = utf8.index(before: end)
        }
        return String(self[..<end])
    }
}
