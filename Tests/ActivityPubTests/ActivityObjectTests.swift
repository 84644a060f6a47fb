import Testing

@testable import ActivityPub

@Suite struct ActivityObjectTests {
    @Test(arguments: [
        #""quote": "https://q.example/1""#,
        #""quoteUri": "https://q.example/1""#,
        #""quoteUrl": "https://q.example/1""#,
        #""quoteURL": "https://q.example/1""#,
        #""_misskey_quote": "https://q.example/1""#,
        #""quote": {"id": "https://q.example/1", "type": "Note"}"#,
        #""tag": {"type": "Link", "mediaType": "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"", "href": "https://q.example/1"}"#,
        #""tag": [{"type": "Link", "mediaType": "application/activity+json", "href": "https://q.example/1"}]"#,
    ])
    func quoteTargetFromEveryKey(member: String) throws {
        let object = try #require(ActivityObject(json: try JSONValue.parse("{\"type\": \"Note\", \(member)}")))
        #expect(object.quoteTarget == "https://q.example/1")
    }

    @Test func plainLinkTagIsNotAQuote() throws {
        let object = try #require(ActivityObject(json: try JSONValue.parse(#"{"type": "Note", "tag": [{"type": "Link", "mediaType": "text/html", "href": "https://q.example/1"}]}"#)))
        #expect(object.quoteTarget == nil)
    }

    @Test func lemmyLanguageAndSource() throws {
        let object = try #require(ActivityObject(json: try JSONValue.parse(#"{"type": "Page", "language": {"identifier": "fr", "name": "Français"}, "contentMap": {"de": "x"}, "source": {"content": "**md**", "mediaType": "text/markdown"}}"#)))
        #expect(object.languages == ["de", "fr"])
        #expect(object.source == "**md**")
        #expect(ActivityObject(json: .string("https://x.example/1")) == nil)
    }

    @Test func objectReferenceShapes() throws {
        let flag = try Activity(json: try JSONValue.parse(#"{"type": "Flag", "object": ["https://a.example/u/1", {"id": "https://a.example/s/2", "type": "Note"}]}"#))
        #expect(flag.object?.ids == ["https://a.example/u/1", "https://a.example/s/2"])
        let undo = try Activity(json: try JSONValue.parse(#"{"type": "Undo", "object": {"type": "Like", "id": "https://a.example/l/1", "object": "https://b.example/s/1"}}"#))
        guard case .activity(let inner)? = undo.object else {
            Issue.record("expected an embedded activity")
            return
        }
        #expect(inner.type == "Like")
        #expect(inner.object?.id == "https://b.example/s/1")
        let single = try Activity(json: try JSONValue.parse(#"{"type": "Delete", "object": ["https://a.example/s/9"]}"#))
        #expect(single.object?.id == "https://a.example/s/9")
        #expect(single.object?.type == nil)
    }

    @Test func embeddedActorInActorProperty() throws {
        let activity = try Activity(json: try JSONValue.parse(#"{"type": ["Create", "Activity"], "actor": {"id": "https://a.example/u/1", "type": "Service", "preferredUsername": "bot"}}"#))
        #expect(activity.type == "Create")
        #expect(activity.actorID == "https://a.example/u/1")
        #expect(activity.embeddedActor?.type == "Service")
    }
}
