import Blocklists
import Testing

@Suite("Link header")
struct LinkHeaderTests {
    @Test func nextIsFoundBesidePrev() {
        let header = "<http://127.0.0.1:9/api/v1/admin/domain_blocks?limit=200&max_id=17>; rel=\"next\", "
            + "<http://127.0.0.1:9/api/v1/admin/domain_blocks?limit=200&min_id=40>; rel=\"prev\""
        #expect(
            LinkHeader.target(rel: "next", in: [header])
                == "http://127.0.0.1:9/api/v1/admin/domain_blocks?limit=200&max_id=17")
        #expect(
            LinkHeader.target(rel: "prev", in: [header])
                == "http://127.0.0.1:9/api/v1/admin/domain_blocks?limit=200&min_id=40")
    }

    @Test func relationsMayBeUnquotedListedOrInAnotherHeaderValue() {
        #expect(LinkHeader.target(rel: "next", in: ["<https://a.example/p?2>;rel=next"]) == "https://a.example/p?2")
        #expect(LinkHeader.target(rel: "next", in: ["<https://a.example/p?3>; REL=\"prev next\""]) == "https://a.example/p?3")
        #expect(
            LinkHeader.target(rel: "next", in: ["<https://a.example/p?1>; rel=\"prev\"", "<https://a.example/p?4>; rel=\"next\""])
                == "https://a.example/p?4")
    }

    @Test func noNextOrMalformedLinksGiveNothing() {
        #expect(LinkHeader.target(rel: "next", in: ["<http://127.0.0.1:9/x?min_id=4>; rel=\"prev\""]) == nil)
        #expect(LinkHeader.target(rel: "next", in: ["http://127.0.0.1:9/x; rel=\"next\""]) == nil)
        // A parameter whose value only mentions next is not the relation.
        #expect(LinkHeader.target(rel: "next", in: ["<https://a.example/x>; title=\"next\""]) == nil)
        #expect(LinkHeader.target(rel: "next", in: ["<https://a.example/x>; rel=\"nextpage\""]) == nil)
        #expect(LinkHeader.target(rel: "next", in: [String]()) == nil)
    }
}
