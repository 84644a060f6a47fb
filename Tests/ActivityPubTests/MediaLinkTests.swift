import Testing

@testable import ActivityPub

@Suite struct MediaLinkTests {
    @Test func codesBecomeLinksMarkedFromMedia() {
        var subject = Subject(
            activityType: "Create", texts: [.links: "https://news.example/a"],
            links: [LinkRef(url: "https://news.example/a", host: "news.example", registrableDomain: "news.example")])
        subject.addMediaLinks([
            "https://shrt.example/x7Qa", "invite.example/nukecrew", "https://news.example/a", "+81 3 1234 5678",
            "hello world", "WIFI:S:home;T:WPA;P:secret;;", "mailto:a@b.example",
        ])
        #expect(
            subject.links.map(\.url) == [
                "https://news.example/a", "https://shrt.example/x7Qa", "https://invite.example/nukecrew",
            ])
        #expect(subject.mediaLinks == ["https://shrt.example/x7Qa", "https://invite.example/nukecrew"])
        #expect(subject.linkDomains == ["news.example", "shrt.example", "invite.example"])
        #expect(
            subject.text(.links) == "https://news.example/a\nhttps://shrt.example/x7Qa\nhttps://invite.example/nukecrew"
        )
    }
}
