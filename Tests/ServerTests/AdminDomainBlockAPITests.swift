import Access
import Blocklists
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import HerdwatchServer

/// Mastodon's domain-block admin API, as FediBlockHole and Mastodon.py call it (shapes and quirks in
/// shared/reference/blocklists.md).
@Suite("Admin domain-block API")
struct AdminDomainBlockAPITests {
    struct Reply {
        var status: HTTPResponse.Status
        var body: Any
        var link: String?

        var object: [String: Any] { body as? [String: Any] ?? [:] }
        var list: [[String: Any]] { body as? [[String: Any]] ?? [] }
    }

    static let link = HTTPField.Name("Link")!

    func call(
        _ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, token: String?,
        json: String? = nil, form: String? = nil
    ) async throws -> Reply {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = "application/json" }
        if form != nil { headers[.contentType] = "application/x-www-form-urlencoded" }
        let response = try await client.execute(
            uri: uri, method: method, headers: headers, body: (json ?? form).map { ByteBuffer(string: $0) })
        let text = String(buffer: response.body)
        let body = text.isEmpty ? [:] : try JSONSerialization.jsonObject(with: Data(text.utf8))
        return Reply(status: response.status, body: body, link: response.headers[Self.link])
    }

    @Test func createShowListUpdateDeleteWithMastodonsShapes() async throws {
        let server = try TestServer()
        let write = try await server.token([.adminRead, .adminWrite])
        let app = HerdwatchApplication.make(server.components)
        try await app.test(.router) { client in
            let created = try await call(
                client, .post, "/api/v1/admin/domain_blocks", token: write,
                json:
                    #"{"domain":"Spam.Example","severity":"suspend","reject_media":true,"reject_reports":false,"private_comment":"case 12","public_comment":"spam","obfuscate":true}"#
            )
            #expect(created.status == .ok)
            let block = created.object
            let id = try #require(block["id"] as? String)
            #expect(Int64(id) == AppliedBlocklist.id(of: "spam.example"))
            #expect(block["domain"] as? String == "spam.example")
            #expect(block["digest"] as? String == BlockDomain.digest("spam.example"))
            #expect(block["severity"] as? String == "suspend")
            #expect(block["reject_media"] as? Bool == true)
            #expect(block["reject_reports"] as? Bool == false)
            #expect(block["private_comment"] as? String == "case 12")
            #expect(block["public_comment"] as? String == "spam")
            #expect(block["obfuscate"] as? Bool == true)
            let createdAt = try #require(block["created_at"] as? String)
            #expect(try Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(createdAt) > Date() - 60)

            let shown = try await call(client, .get, "/api/v1/admin/domain_blocks/\(id)", token: write)
            #expect(shown.status == .ok)
            #expect(shown.object["domain"] as? String == "spam.example")
            // The gate sees it at once.
            #expect(server.components.blocklist.snapshot.index.severity(for: "a.spam.example") == .suspend)

            // PUT changes what it names and never the domain; FediBlockHole sends the whole record.
            let updated = try await call(
                client, .put, "/api/v1/admin/domain_blocks/\(id)", token: write,
                json: #"{"domain":"other.example","severity":"silence","public_comment":"","reject_media":false}"#)
            #expect(updated.status == .ok)
            #expect(updated.object["id"] as? String == id)
            #expect(updated.object["domain"] as? String == "spam.example")
            #expect(updated.object["severity"] as? String == "silence")
            #expect(updated.object["public_comment"] as? String == "")
            #expect(updated.object["private_comment"] as? String == "case 12")
            #expect(updated.object["reject_media"] as? Bool == false)
            #expect(server.components.blocklist.snapshot.index.severity(for: "spam.example") == .silence)

            let listed = try await call(client, .get, "/api/v1/admin/domain_blocks", token: write)
            #expect(listed.list.map { $0["id"] as? String } == [id])

            let deleted = try await call(client, .delete, "/api/v1/admin/domain_blocks/\(id)", token: write)
            #expect(deleted.status == .ok)
            #expect((deleted.body as? [String: Any])?.isEmpty == true)
            #expect(try await call(client, .get, "/api/v1/admin/domain_blocks/\(id)", token: write).status == .notFound)
            #expect(try await call(client, .get, "/api/v1/admin/domain_blocks", token: write).list.isEmpty)
            #expect(server.components.blocklist.snapshot.index.rule(for: "spam.example") == nil)
            // Kept as a retraction, with who deleted it.
            let kept = try await server.components.blocklist.store.block(domain: "spam.example")
            #expect(kept?.state == .retracted)
            #expect(kept?.provenance?.origin == .person("token 1 (test)"))
            // And blockable again, as a new revision with the same id.
            let again = try await call(
                client, .post, "/api/v1/admin/domain_blocks", token: write, json: #"{"domain":"spam.example"}"#)
            #expect(again.status == .ok)
            #expect(again.object["id"] as? String == id)
            #expect(again.object["severity"] as? String == "silence")
        }
    }

    @Test func aDuplicateOrAWeakerChildIs422WithTheExistingBlock() async throws {
        let server = try TestServer()
        let write = try await server.token([.adminWrite])
        let app = HerdwatchApplication.make(server.components)
        try await app.test(.router) { client in
            let parent = try await call(
                client, .post, "/api/v1/admin/domain_blocks", token: write,
                json: #"{"domain":"xn--spm-vla.example","severity":"silence","reject_media":true}"#)
            #expect(parent.status == .ok)
            // The Unicode spelling, upper case and a trailing dot name the same domain.
            for spelling in ["spåm.example", "XN--SPM-VLA.EXAMPLE.", "*.xn--spm-vla.example"] {
                let duplicate = try await call(
                    client, .post, "/api/v1/admin/domain_blocks", token: write, json: #"{"domain":"\#(spelling)"}"#)
                #expect(duplicate.status == .unprocessableContent, "\(spelling)")
                #expect((duplicate.object["error"] as? String)?.contains("is already blocked") == true)
                let existing = duplicate.object["existing_domain_block"] as? [String: Any]
                #expect(existing?["id"] as? String == parent.object["id"] as? String)
                #expect(existing?["domain"] as? String == "xn--spm-vla.example")
            }
            // A child that limits less than its parent (no reject_media) is refused; a stricter one is taken.
            let weaker = try await call(
                client, .post, "/api/v1/admin/domain_blocks", token: write,
                json: #"{"domain":"a.xn--spm-vla.example","severity":"silence"}"#)
            #expect(weaker.status == .unprocessableContent)
            #expect(
                (weaker.object["existing_domain_block"] as? [String: Any])?["domain"] as? String
                    == "xn--spm-vla.example")
            let stricter = try await call(
                client, .post, "/api/v1/admin/domain_blocks", token: write,
                json: #"{"domain":"a.xn--spm-vla.example","severity":"suspend"}"#)
            #expect(stricter.status == .ok)
        }
    }

    @Test(arguments: [
        (#"{}"#, "Domain can't be blank"),
        (#"{"domain":"  "}"#, "Domain can't be blank"),
        (#"{"domain":"co.uk"}"#, "public suffix"),
        (#"{"domain":"exa****.*rg"}"#, "obfuscated"),
        (#"{"domain":"192.0.2.7"}"#, "IP address"),
        (#"{"domain":"ok.example","severity":"limit"}"#, "severity must be noop, silence or suspend"),
        (#"{"domain":"ok.example","reject_media":"maybe"}"#, "reject_media must be true or false"),
    ])
    func invalidInputIs422SayingWhy(body: String, reason: String) async throws {
        let server = try TestServer()
        let write = try await server.token([.adminWrite])
        let app = HerdwatchApplication.make(server.components)
        try await app.test(.router) { client in
            let reply = try await call(client, .post, "/api/v1/admin/domain_blocks", token: write, json: body)
            #expect(reply.status == .unprocessableContent)
            #expect((reply.object["error"] as? String)?.contains(reason) == true, "\(reply.object)")
            #expect(try await server.components.blocklist.store.blocks().isEmpty)
        }
    }

    @Test func aFormAsMastodonPySendsItIsRead() async throws {
        let server = try TestServer()
        let write = try await server.token([.adminWriteDomainBlocks, .adminReadDomainBlocks])
        let app = HerdwatchApplication.make(server.components)
        try await app.test(.router) { client in
            let created = try await call(
                client, .post, "/api/v1/admin/domain_blocks", token: write,
                form:
                    "domain=form.example&severity=silence&reject_reports=1&public_comment=bulk+spam%2C+ads&obfuscate=True"
            )
            #expect(created.status == .ok)
            #expect(created.object["reject_reports"] as? Bool == true)
            #expect(created.object["reject_media"] as? Bool == false)
            #expect(created.object["obfuscate"] as? Bool == true)
            #expect(created.object["public_comment"] as? String == "bulk spam, ads")
            let broken = try await call(
                client, .post, "/api/v1/admin/domain_blocks", token: write, form: "domain=%ZZ[]")
            #expect(broken.status == .badRequest)
        }
    }

    @Test func pagesFollowMastodonsLinkHeaderNextThenPrev() async throws {
        let server = try TestServer()
        let read = try await server.token([.adminReadDomainBlocks])
        let blocklist = server.components.blocklist
        for number in 0..<250 { try await blocklist.store.save(DomainBlock(domain: "d\(number).example")) }
        try await blocklist.refresh()
        let allIDs = (0..<250).map { AppliedBlocklist.id(of: "d\($0).example") }.sorted(by: >).map(String.init)
        let app = HerdwatchApplication.make(server.components)
        try await app.test(.router) { client in
            var uri = "/api/v1/admin/domain_blocks?limit=100"
            var seen: [String] = []
            var pages = 0
            while true {
                let page = try await call(client, .get, uri, token: read)
                #expect(page.status == .ok)
                pages += 1
                let ids = page.list.compactMap { $0["id"] as? String }
                seen += ids
                let link = try #require(page.link)
                // FediBlockHole splits on ", " and follows the first of exactly two parts.
                let parts = link.components(separatedBy: ", ")
                #expect(
                    parts.last
                        == "<http://localhost/api/v1/admin/domain_blocks?limit=100&min_id=\(ids[0])>; rel=\"prev\"")
                guard parts.count == 2 else {
                    #expect(ids.count == 50)
                    break
                }
                #expect(
                    parts[0]
                        == "<http://localhost/api/v1/admin/domain_blocks?limit=100&max_id=\(ids.last!)>; rel=\"next\"")
                uri = String(parts[0].dropFirst("<http://localhost".count).prefix { $0 != ">" })
            }
            #expect(pages == 3)
            #expect(seen == allIDs)

            let capped = try await call(client, .get, "/api/v1/admin/domain_blocks?limit=500", token: read)
            #expect(capped.list.count == 200)
            let firstPage = try await call(client, .get, "/api/v1/admin/domain_blocks", token: read)
            #expect(firstPage.list.count == 100)
            // since_id: the newest above it; min_id: those just above it; both listed highest first.
            let since = try await call(
                client, .get, "/api/v1/admin/domain_blocks?limit=2&since_id=\(allIDs[10])", token: read)
            #expect(since.list.compactMap { $0["id"] as? String } == Array(allIDs[0..<2]))
            let min = try await call(
                client, .get, "/api/v1/admin/domain_blocks?limit=2&min_id=\(allIDs[10])", token: read)
            #expect(min.list.compactMap { $0["id"] as? String } == Array(allIDs[8..<10]))
            let between = try await call(
                client, .get, "/api/v1/admin/domain_blocks?max_id=\(allIDs[3])&since_id=\(allIDs[6])", token: read)
            #expect(between.list.compactMap { $0["id"] as? String } == Array(allIDs[4..<6]))
            let empty = try await call(client, .get, "/api/v1/admin/domain_blocks?max_id=\(allIDs[249])", token: read)
            #expect(empty.list.isEmpty)
            #expect(empty.link == nil)
            #expect(
                try await call(client, .get, "/api/v1/admin/domain_blocks?limit=0", token: read).status
                    == .unprocessableContent)
            #expect(
                try await call(client, .get, "/api/v1/admin/domain_blocks?max_id=abc", token: read).status
                    == .unprocessableContent)
        }
    }

    @Test func thePublicListIsObfuscatedWithDigestsSilenceThenSuspendNoNoop() async throws {
        let server = try TestServer()
        let blocklist = server.components.blocklist
        try await blocklist.store.save(DomainBlock(domain: "example.org", severity: .suspend, obfuscate: true))
        try await blocklist.store.save(DomainBlock(domain: "b.example", severity: .silence, publicComment: "ads"))
        try await blocklist.store.save(DomainBlock(domain: "a.example", severity: .suspend, publicComment: "spam"))
        try await blocklist.store.save(DomainBlock(domain: "noop.example", severity: .noop, rejectMedia: true))
        try await blocklist.refresh()
        let app = HerdwatchApplication.make(server.components)
        try await app.test(.router) { client in
            let reply = try await call(client, .get, "/api/v1/instance/domain_blocks", token: nil)
            #expect(reply.status == .ok)
            #expect(reply.list.map { $0["domain"] as? String } == ["b.example", "a.example", "exa****.*rg"])
            #expect(reply.list.map { $0["severity"] as? String } == ["silence", "suspend", "suspend"])
            #expect(reply.list[2]["digest"] as? String == BlockDomain.digest("example.org"))
            #expect(reply.list[0]["comment"] as? String == "ads")
            #expect(reply.list[2]["comment"] is NSNull)
        }
    }

    @Test func measuresAnswerInstanceFollowsInMastodonsShape() async throws {
        let server = try TestServer()
        let read = try await server.token([.adminRead])
        let app = HerdwatchApplication.make(server.components)
        try await app.test(.router) { client in
            let json = try await call(
                client, .post, "/api/v1/admin/measures", token: read,
                json: #"{"keys":["instance_follows"],"instance_follows":{"domain":"spam.example"}}"#)
            #expect(json.status == .ok)
            let measure = try #require(json.list.first)
            #expect(json.list.count == 1)
            #expect(measure["key"] as? String == "instance_follows")
            #expect(measure["total"] as? String == "0")
            #expect(measure["unit"] is NSNull)
            #expect((measure["data"] as? [Any])?.isEmpty == true)
            let form = try await call(
                client, .post, "/api/v1/admin/measures", token: read,
                form: "keys[]=instance_follows&instance_follows[domain]=spam.example")
            #expect(form.list.first?["key"] as? String == "instance_follows")
            #expect(
                try await call(client, .post, "/api/v1/admin/measures", token: read, json: "{}").status == .badRequest)
        }
    }

    @Test func mastodonScopesGrantExactlyTheirHalfAndRefusalsNameTheScope() async throws {
        let server = try TestServer()
        let readOnly = try await server.token([.adminRead])
        let writeOnly = try await server.token([.adminWriteDomainBlocks])
        let moderate = try await server.token([.moderate])
        let app = HerdwatchApplication.make(server.components)
        try await app.test(.router) { client in
            #expect(try await call(client, .get, "/api/v1/admin/domain_blocks", token: readOnly).status == .ok)
            let refusedWrite = try await call(
                client, .post, "/api/v1/admin/domain_blocks", token: readOnly, json: #"{"domain":"x.example"}"#)
            #expect(refusedWrite.status == .forbidden)
            #expect(
                refusedWrite.object["error"] as? String
                    == "the token lacks the `writeBlocklist` permission; create one with `herdwatch token create --scope admin:write:domain_blocks`"
            )
            #expect(
                try await call(
                    client, .post, "/api/v1/admin/domain_blocks", token: writeOnly, json: #"{"domain":"x.example"}"#
                ).status == .ok)
            let refusedRead = try await call(client, .get, "/api/v1/admin/domain_blocks", token: writeOnly)
            #expect(refusedRead.status == .forbidden)
            #expect((refusedRead.object["error"] as? String)?.hasSuffix("--scope admin:read:domain_blocks`") == true)
            #expect(try await call(client, .get, "/api/v1/admin/domain_blocks", token: moderate).status == .forbidden)
            #expect(try await call(client, .get, "/api/v1/admin/domain_blocks", token: nil).status == .unauthorized)
            #expect(try await call(client, .get, "/api/v1/instance/domain_blocks", token: nil).status == .ok)
        }
    }

    @Test func theListIsPublishedInEachCSVFormatWithoutPrivateComments() async throws {
        let server = try TestServer()
        let blocklist = server.components.blocklist
        try await blocklist.store.save(
            DomainBlock(domain: "a.example", severity: .suspend, privateComment: "secret", publicComment: "spam"))
        try await blocklist.store.save(DomainBlock(domain: "b.example", severity: .silence, rejectMedia: true))
        try await blocklist.refresh()
        let app = HerdwatchApplication.make(server.components)
        try await app.test(.router) { client in
            func get(_ format: String) async throws -> (HTTPResponse.Status, String, String?) {
                let response = try await client.execute(uri: "/herdwatch/blocklist.csv?format=\(format)", method: .get)
                return (response.status, String(buffer: response.body), response.headers[.contentType])
            }
            let mastodon = try await get("mastodon")
            #expect(mastodon.0 == .ok)
            #expect(mastodon.2 == "text/csv; charset=utf-8")
            #expect(
                mastodon.1
                    == "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\na.example,suspend,false,false,spam,false\nb.example,silence,true,false,,false\n"
            )
            #expect(try await get("gotosocial").1.contains("b.example") == false)
            #expect(try await get("plain").1 == "a.example\nb.example\n")
            let fediBlockHole = try await get("fediblockhole").1
            #expect(fediBlockHole.hasPrefix("domain,severity,public_comment,private_comment,"))
            #expect(!fediBlockHole.contains("secret"))
            #expect(try await get("rapidblock").0 == .badRequest)
        }
    }
}
