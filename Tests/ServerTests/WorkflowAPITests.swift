import Access
import ActivityPub
import Blocklists
import Configuration
import Foundation
import HTTPTypes
import HerdwatchTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import ReviewQueue
import RuleEngine
import Testing

@testable import HerdwatchServer

@Suite("Workflow API")
struct WorkflowAPITests {
    let actor: RemoteActor

    init() throws {
        actor = try RemoteActor(id: "https://remote.example/users/alice")
    }

    /// Sends a request and returns the status and the JSON object answered (empty for no body).
    func call(
        _ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, token: String,
        body: String? = nil
    ) async throws -> (HTTPResponse.Status, [String: Any]) {
        let response = try await client.execute(
            uri: uri, method: method, headers: [.authorization: "Bearer \(token)"],
            body: body.map { ByteBuffer(string: $0) })
        let text = String(buffer: response.body)
        return (response.status, text.isEmpty ? [:] : try json(text))
    }

    func holdThree(_ client: some TestClientProtocol, _ server: TestServer) async throws {
        let check = try await server.token([.check])
        for text in ["HOLDME one", "HOLDME two", "FLAGME three"] {
            _ = try await client.execute(
                uri: "/api/v1/check", method: .post, headers: [.authorization: "Bearer \(check)"],
                body: ByteBuffer(string: actor.note(text)))
        }
    }

    @Test func nextLeasesAndDecisionsCarryVersions() async throws {
        let server = try TestServer()
        let first = try await server.token([.moderate])
        let second = try await server.token([.moderate])
        let app = HerdwatchApplication.make(server.components)
        try await app.test(.router) { client in
            try await holdThree(client, server)
            let (status, leased) = try await call(client, .post, "/herdwatch/api/v1/cases/next", token: first)
            #expect(status == .ok)
            #expect(leased["state"] as? String == "in_review")
            #expect(leased["action"] as? String == "hold")
            #expect((leased["lease"] as? [String: Any])?["holder"] as? String == "token 1 (test)")
            #expect(leased["version"] as? Int == 2)
            let id = try #require(leased["id"] as? Int)
            let (_, other) = try await call(
                client, .post, "/herdwatch/api/v1/cases/next", token: second, body: #"{"lease_seconds": 120}"#)
            #expect(other["id"] as? Int != id)
            #expect(other["action"] as? String == "hold")
            let (_, third) = try await call(client, .post, "/herdwatch/api/v1/cases/next", token: second)
            #expect(third["action"] as? String == "flag")
            let (none, _) = try await call(client, .post, "/herdwatch/api/v1/cases/next", token: second)
            #expect(none == .noContent)

            let decide = "/herdwatch/api/v1/cases/\(id)/decide"
            let (elsewhere, leasedError) = try await call(
                client, .post, decide, token: second, body: #"{"version":2,"actions":["reject"],"reason":"spam"}"#)
            #expect(elsewhere == .conflict && leasedError["code"] as? String == "leased_elsewhere")
            let (stale, staleError) = try await call(
                client, .post, decide, token: first, body: #"{"version":1,"actions":["reject"],"reason":"spam"}"#)
            #expect(stale == .conflict && staleError["code"] as? String == "stale_version")
            #expect((staleError["error"] as? String)?.contains("version 2") == true)
            let (badReason, reasonError) = try await call(
                client, .post, decide, token: first, body: #"{"version":2,"actions":["reject"],"reason":"ugly"}"#)
            #expect(badReason == .unprocessableContent && reasonError["code"] as? String == "bad_reason")
            let (noVersion, _) = try await call(
                client, .post, decide, token: first, body: #"{"actions":["reject"],"reason":"spam"}"#)
            #expect(noVersion == .badRequest)
            let (decided, closed) = try await call(
                client, .post, decide, token: first,
                body: #"{"version":2,"actions":["reject"],"reason":"spam","note":"bulk link spam"}"#)
            #expect(decided == .ok)
            #expect(
                closed["state"] as? String == "closed" && closed["outcome"] as? String == "rejected"
                    && closed["version"] as? Int == 3)
            let (again, againError) = try await call(
                client, .post, decide, token: first, body: #"{"version":3,"actions":["approve"],"reason":"spam"}"#)
            #expect(again == .conflict && againError["code"] as? String == "bad_transition")
            let (missing, _) = try await call(
                client, .post, "/herdwatch/api/v1/cases/999/decide", token: first,
                body: #"{"version":1,"actions":["reject"],"reason":"spam"}"#)
            #expect(missing == .notFound)

            // The decision taught reputation nothing it should not: the case was decided once, with its reason.
            let entries = try await server.cases.audit(caseID: Int64(id), limit: 10)
            #expect(entries.map(\.action) == [.reject, .claim])
            #expect(
                entries.first?.reason == "spam" && entries.first?.note == "bulk link spam" && entries.first?.via == .api
            )
        }
    }

    @Test func theReasonCodesAreConfigurable() async throws {
        let server = try TestServer(values: ["review.reasons": .init(.stringArray(["spam", "scam"]), isSecret: false)])
        let moderate = try await server.token([.moderate])
        let app = HerdwatchApplication.make(server.components)
        try await app.test(.router) { client in
            try await holdThree(client, server)
            let id = try #require(try await server.cases.cases(state: .open, limit: 1).first?.id)
            let decide = "/herdwatch/api/v1/cases/\(id)/decide"
            let (refused, error) = try await call(
                client, .post, decide, token: moderate, body: #"{"version":1,"actions":["reject"],"reason":"hate"}"#)
            #expect(refused == .unprocessableContent)
            #expect((error["error"] as? String)?.contains("spam, scam") == true)
            let (decided, _) = try await call(
                client, .post, decide, token: moderate, body: #"{"version":1,"actions":["reject"],"reason":"scam"}"#)
            #expect(decided == .ok)
        }
        #expect(throws: ServerConfigurationError.self) {
            _ = try ServerConfiguration(
                reader: ConfigReader(
                    provider: InMemoryProvider(values: [
                        "review.reasons": .init(.stringArray(["Not OK"]), isSecret: false)
                    ])))
        }
    }

    @Test func claimRenewAndRelease() async throws {
        let server = try TestServer()
        let first = try await server.token([.moderate])
        let second = try await server.token([.moderate])
        let app = HerdwatchApplication.make(server.components)
        try await app.test(.router) { client in
            try await holdThree(client, server)
            let (_, list) = try await call(client, .get, "/herdwatch/api/v1/cases", token: first)
            let id = try #require((list["cases"] as? [[String: Any]])?.first?["id"] as? Int)
            let base = "/herdwatch/api/v1/cases/\(id)"
            let (claimed, claim) = try await call(client, .post, base + "/claim", token: first, body: #"{"version":1}"#)
            #expect(claimed == .ok && claim["state"] as? String == "in_review")
            let (taken, takenError) = try await call(client, .post, base + "/claim", token: second)
            #expect(taken == .conflict && takenError["code"] as? String == "leased_elsewhere")
            let (renewed, renew) = try await call(client, .post, base + "/renew", token: first)
            #expect(renewed == .ok && renew["version"] as? Int == 3)
            let (notHeld, _) = try await call(client, .post, base + "/renew", token: second)
            #expect(notHeld == .conflict)
            let (released, release) = try await call(
                client, .post, base + "/release", token: first, body: #"{"version":3}"#)
            #expect(released == .ok && release["state"] as? String == "open" && release["lease"] == nil)
            let (_, inReview) = try await call(client, .get, "/herdwatch/api/v1/cases?state=in_review", token: first)
            #expect((inReview["cases"] as? [[String: Any]])?.isEmpty == true)
            let (claimedAgain, _) = try await call(client, .post, base + "/claim", token: second)
            #expect(claimedAgain == .ok)
            let (_, nowInReview) = try await call(client, .get, "/herdwatch/api/v1/cases?state=in_review", token: first)
            #expect((nowInReview["cases"] as? [[String: Any]])?.map { $0["id"] as? Int } == [id])
            // The legacy approve route decides a case in review by the caller, not by someone else.
            let (refused, refusal) = try await call(client, .post, base + "/reject", token: first)
            #expect(refused == .conflict && refusal["code"] as? String == "leased_elsewhere")
            let (rejected, _) = try await call(client, .post, base + "/reject", token: second)
            #expect(rejected == .ok)
            let (badState, _) = try await call(client, .get, "/herdwatch/api/v1/cases?state=bogus", token: first)
            #expect(badState == .badRequest)
            let (_, legacy) = try await call(client, .get, "/herdwatch/api/v1/cases?state=rejected", token: first)
            #expect((legacy["cases"] as? [[String: Any]])?.map { $0["id"] as? Int } == [id])
        }
    }

    @Test func notesShowOnLaterCasesAboutTheActor() async throws {
        let server = try TestServer()
        let moderate = try await server.token([.moderate])
        let app = HerdwatchApplication.make(server.components)
        try await app.test(.router) { client in
            try await holdThree(client, server)
            let (_, list) = try await call(client, .get, "/herdwatch/api/v1/cases", token: moderate)
            let ids = try #require((list["cases"] as? [[String: Any]])?.compactMap { $0["id"] as? Int })
            let (created, note) = try await call(
                client, .post, "/herdwatch/api/v1/cases/\(ids[0])/notes", token: moderate,
                body: #"{"text":"known spammer","on":"actor"}"#)
            #expect(created == .created)
            #expect(note["subject"] as? String == "actor" && note["about"] as? String == actor.id)
            let (_, caseNote) = try await call(
                client, .post, "/herdwatch/api/v1/cases/\(ids[0])/notes", token: moderate, body: #"{"text":"first"}"#)
            #expect(caseNote["subject"] as? String == "case")
            let (empty, _) = try await call(
                client, .post, "/herdwatch/api/v1/cases/\(ids[0])/notes", token: moderate, body: #"{"text":"  "}"#)
            #expect(empty == .badRequest)
            let (_, other) = try await call(client, .get, "/herdwatch/api/v1/cases/\(ids[1])", token: moderate)
            #expect((other["notes"] as? [[String: Any]])?.map { $0["text"] as? String } == ["known spammer"])
            let (_, first) = try await call(client, .get, "/herdwatch/api/v1/cases/\(ids[0])", token: moderate)
            #expect((first["notes"] as? [[String: Any]])?.map { $0["text"] as? String } == ["known spammer", "first"])
        }
    }

    @Test func escalationsProposalsAndTheAuditLogNeedALead() async throws {
        let server = try TestServer()
        let moderate = try await server.token([.moderate])
        let admin = try await server.token([.admin])
        let app = HerdwatchApplication.make(server.components)
        try await app.test(.router) { client in
            try await holdThree(client, server)
            let (_, list) = try await call(client, .get, "/herdwatch/api/v1/cases", token: moderate)
            let id = try #require((list["cases"] as? [[String: Any]])?.first?["id"] as? Int)
            let (escalated, escalation) = try await call(
                client, .post, "/herdwatch/api/v1/cases/\(id)/decide", token: moderate,
                body: #"{"version":1,"actions":["escalate","block_domain"],"reason":"spam"}"#)
            #expect(escalated == .ok && escalation["state"] as? String == "escalated")
            let (forbidden, forbiddenError) = try await call(
                client, .post, "/herdwatch/api/v1/cases/\(id)/decide", token: moderate,
                body: #"{"version":2,"actions":["reject"],"reason":"spam"}"#)
            #expect(forbidden == .forbidden && forbiddenError["code"] as? String == "forbidden")

            let (_, pending) = try await call(client, .get, "/herdwatch/api/v1/proposals", token: moderate)
            let proposal = try #require((pending["proposals"] as? [[String: Any]])?.first)
            #expect(
                proposal["action"] as? String == "block_domain" && proposal["target"] as? String == "remote.example")
            #expect(proposal["state"] as? String == "pending" && proposal["case_id"] as? Int == id)
            let proposalID = try #require(proposal["id"] as? Int)
            let (notLead, _) = try await call(
                client, .post, "/herdwatch/api/v1/proposals/\(proposalID)/confirm", token: moderate)
            #expect(notLead == .forbidden)
            let (confirmed, confirmation) = try await call(
                client, .post, "/herdwatch/api/v1/proposals/\(proposalID)/confirm", token: admin)
            #expect(confirmed == .ok && confirmation["state"] as? String == "confirmed")
            // Confirming the block carries it out: the domain is suspended as our own block, in one batch that the
            // blocklists page can undo, and the gate sees it at once.
            let blocked = try #require(try await server.components.blocklist.store.block(domain: "remote.example"))
            #expect(blocked.severity == .suspend && blocked.state == .active)
            let origin = try #require(blocked.provenance?.origin)
            guard case .person(let who) = origin else { Issue.record("the block is not our own: \(origin)"); return }
            #expect(blocked.privateComment.contains("confirmed by \(who)"))
            #expect(blocked.reasons == [.spam])
            #expect(blocked.privateComment.contains("case \(id)"))
            let review = try #require(HerdwatchApplication.blocklistReview(server.components))
            #expect(try await review.batches().first?.items.map(\.domain) == ["remote.example"])
            #expect(server.components.blocklist.snapshot.index.entryIndex(covering: "sub.remote.example") != nil)
            let (twice, twiceError) = try await call(
                client, .post, "/herdwatch/api/v1/proposals/\(proposalID)/refuse", token: admin)
            #expect(twice == .conflict && twiceError["code"] as? String == "bad_transition")
            let (unknown, _) = try await call(client, .post, "/herdwatch/api/v1/proposals/999/refuse", token: admin)
            #expect(unknown == .notFound)
            let (_, confirmedList) = try await call(
                client, .get, "/herdwatch/api/v1/proposals?state=confirmed", token: moderate)
            #expect((confirmedList["proposals"] as? [[String: Any]])?.count == 1)

            let (leadDecides, _) = try await call(
                client, .post, "/herdwatch/api/v1/cases/\(id)/decide", token: admin,
                body: #"{"version":2,"actions":["reject"],"reason":"spam"}"#)
            #expect(leadDecides == .ok)

            let (auditForbidden, _) = try await call(client, .get, "/herdwatch/api/v1/audit", token: moderate)
            #expect(auditForbidden == .forbidden)
            let (auditStatus, audit) = try await call(
                client, .get, "/herdwatch/api/v1/audit?case=\(id)&limit=10", token: admin)
            #expect(auditStatus == .ok)
            let entries = try #require(audit["entries"] as? [[String: Any]])
            #expect(entries.map { $0["action"] as? String } == ["reject", "confirm", "propose", "escalate"])
            #expect(
                entries.first?["from_state"] as? String == "escalated"
                    && entries.first?["to_state"] as? String == "closed")
            #expect(entries.last?["actor"] as? String == "token 1 (test)" && entries.last?["via"] as? String == "api")
        }
    }

    @Test func queuesFilterTheList() async throws {
        let server = try TestServer()
        let moderate = try await server.token([.moderate])
        let app = HerdwatchApplication.make(server.components)
        try await server.cases.saveQueue(CaseQueue(name: "flags", filter: CaseFilter(state: .open, action: .flag)))
        try await app.test(.router) { client in
            try await holdThree(client, server)
            let (_, flags) = try await call(client, .get, "/herdwatch/api/v1/cases?queue=flags", token: moderate)
            #expect((flags["cases"] as? [[String: Any]])?.map { $0["action"] as? String } == ["flag"])
            let (unknown, _) = try await call(client, .get, "/herdwatch/api/v1/cases?queue=nope", token: moderate)
            #expect(unknown == .notFound)
            let (_, next) = try await call(
                client, .post, "/herdwatch/api/v1/cases/next", token: moderate, body: #"{"queue":"flags"}"#)
            #expect(next["action"] as? String == "flag")
            let (_, limited) = try await call(client, .get, "/herdwatch/api/v1/cases?limit=1", token: moderate)
            #expect((limited["cases"] as? [[String: Any]])?.count == 1)
        }
    }

    @Test func remoteReportsOpenOrJoinTheCaseAboutTheFlaggedActor() async throws {
        let server = try TestServer()
        let check = try await server.token([.check])
        let moderate = try await server.token([.moderate])
        let app = HerdwatchApplication.make(server.components)
        @Sendable func flag(_ number: Int, about target: String) -> String {
            """
            {"@context":"https://www.w3.org/ns/activitystreams","id":"https://reporter.example/flags/\(number)","type":"Flag","actor":"https://reporter.example/actor","object":["\(target)","\(target)/statuses/1"],"content":"<p>spam wave</p>"}
            """
        }
        try await app.test(.router) { client in
            _ = try await client.execute(
                uri: "/api/v1/check", method: .post, headers: [.authorization: "Bearer \(check)"],
                body: ByteBuffer(string: actor.note("HOLDME one")))
            let held = try #require(try await server.cases.cases(state: .open, limit: 10).first)
            let joined = try await client.execute(
                uri: "/api/v1/check", method: .post, headers: [.authorization: "Bearer \(check)"],
                body: ByteBuffer(string: flag(1, about: actor.id)))
            #expect(joined.status == .ok)
            #expect((try json(String(buffer: joined.body))["case"] as? [String: Any])?["id"] as? Int == Int(held.id))
            _ = try await client.execute(
                uri: "/api/v1/check", method: .post, headers: [.authorization: "Bearer \(check)"],
                body: ByteBuffer(string: flag(2, about: "https://other.example/users/bob")))
            let (_, list) = try await call(client, .get, "/herdwatch/api/v1/cases", token: moderate)
            let cases = try #require(list["cases"] as? [[String: Any]])
            #expect(cases.map { $0["reports"] as? Int } == [1, 1])
            #expect(cases.map { $0["actor_id"] as? String } == [actor.id, "https://other.example/users/bob"])
            let (_, detail) = try await call(client, .get, "/herdwatch/api/v1/cases/\(held.id)", token: moderate)
            let filed = try #require((detail["reports_filed"] as? [[String: Any]])?.first)
            #expect(filed["comment"] as? String == "spam wave")
            #expect(filed["activity_id"] as? String == "https://reporter.example/flags/1")
        }
    }

    @Test func queuesAreManagedByLeads() async throws {
        let server = try TestServer()
        let moderate = try await server.token([.moderate])
        let admin = try await server.token([.admin])
        let app = HerdwatchApplication.make(server.components)
        try await app.test(.router) { client in
            let filter = #"{"action":"hold","rule_id":"test.hold","state":"open"}"#
            let (notLead, _) = try await call(
                client, .put, "/herdwatch/api/v1/queues/held", token: moderate, body: filter)
            #expect(notLead == .forbidden)
            let (saved, queue) = try await call(
                client, .put, "/herdwatch/api/v1/queues/held", token: admin, body: filter)
            #expect(saved == .ok)
            #expect((queue["filter"] as? [String: Any])?["rule_id"] as? String == "test.hold")
            #expect(
                try await server.cases.queues() == [
                    CaseQueue(name: "held", filter: CaseFilter(state: .open, action: .hold, ruleID: "test.hold"))
                ])
            let (_, listed) = try await call(client, .get, "/herdwatch/api/v1/queues", token: moderate)
            #expect((listed["queues"] as? [[String: Any]])?.map { $0["name"] as? String } == ["held"])
            let (unknown, _) = try await call(
                client, .put, "/herdwatch/api/v1/accounts/7/queues", token: admin, body: #"{"queues":["nope"]}"#)
            #expect(unknown == .notFound)
            let (assigned, assignment) = try await call(
                client, .put, "/herdwatch/api/v1/accounts/7/queues", token: admin, body: #"{"queues":["held"]}"#)
            #expect(assigned == .ok && assignment["queues"] as? [String] == ["held"])
            #expect(try await server.cases.assignedQueues(account: 7) == ["held"])
            let (deleted, _) = try await call(client, .delete, "/herdwatch/api/v1/queues/held", token: admin)
            #expect(deleted == .noContent)
            #expect(try await server.cases.queues().isEmpty)
            let (gone, _) = try await call(client, .delete, "/herdwatch/api/v1/queues/held", token: admin)
            #expect(gone == .notFound)
        }
    }

    @Test func contractorsWorkTheirQueuesAndNeverSeePersonalData() async throws {
        let server = try TestServer()
        let carol = try await server.access.store.insertAccount(
            username: "carol", role: .contractor, passwordHash: "-", at: Date())
        let contractor = try await server.access.issueToken(name: "carol's", scopes: [.moderate], for: carol).secret
        let moderate = try await server.token([.moderate])
        let app = HerdwatchApplication.make(server.components)
        var held = CaseStoreConformance.newCase(id: "https://remote.example/activities/pd", signer: actor.id, key: "pd")
        held.request?.headers.append(.init(name: "X-Forwarded-For", value: "203.0.113.9"))
        let heldCase = try await server.cases.open(held).reviewCase
        try await app.test(.router) { client in
            try await holdThree(client, server)
            let flagged = try #require(
                try await server.cases.cases(matching: CaseFilter(action: .flag), limit: 1).first)
            // No queue assigned: nothing to see or take.
            let (unnamed, _) = try await call(client, .get, "/herdwatch/api/v1/cases", token: contractor)
            #expect(unnamed == .forbidden)
            let (nothing, _) = try await call(client, .post, "/herdwatch/api/v1/cases/next", token: contractor)
            #expect(nothing == .noContent)
            let (outside, _) = try await call(client, .get, "/herdwatch/api/v1/cases/\(flagged.id)", token: contractor)
            #expect(outside == .forbidden)

            try await server.cases.saveQueue(CaseQueue(name: "flags", filter: CaseFilter(state: .open, action: .flag)))
            try await server.cases.saveQueue(CaseQueue(name: "held", filter: CaseFilter(action: .hold)))
            try await server.cases.assignQueues(["flags"], toAccount: carol.id)
            let (_, mine) = try await call(client, .get, "/herdwatch/api/v1/cases?queue=flags", token: contractor)
            #expect((mine["cases"] as? [[String: Any]])?.map { $0["id"] as? Int } == [Int(flagged.id)])
            let (notMine, _) = try await call(client, .get, "/herdwatch/api/v1/cases?queue=held", token: contractor)
            #expect(notMine == .forbidden)
            let (_, next) = try await call(client, .post, "/herdwatch/api/v1/cases/next", token: contractor)
            #expect(next["id"] as? Int == Int(flagged.id))
            #expect(((next["lease"] as? [String: Any])?["holder"] as? String)?.hasPrefix("carol (token ") == true)
            let (refused, _) = try await call(
                client, .post, "/herdwatch/api/v1/cases/\(heldCase.id)/decide", token: contractor,
                body: #"{"version":1,"actions":["reject"],"reason":"spam"}"#)
            #expect(refused == .forbidden)

            // With the held queue too, the contractor sees the held case, but never the request it came in.
            try await server.cases.assignQueues(["flags", "held"], toAccount: carol.id)
            for token in [contractor, moderate] {
                let response = try await client.execute(
                    uri: "/herdwatch/api/v1/cases/\(heldCase.id)", method: .get,
                    headers: [.authorization: "Bearer \(token)"])
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("203.0.113.9") == (token == moderate))
            }
        }
    }

    @Test func personalDataOnlyForThoseAllowedToSeeIt() async throws {
        let server = try TestServer()
        let moderate = try await server.token([.moderate])
        let app = HerdwatchApplication.make(server.components)
        var held = CaseStoreConformance.newCase(id: "https://remote.example/activities/pd", signer: actor.id, key: "pd")
        held.request?.headers.append(.init(name: "X-Forwarded-For", value: "203.0.113.9"))
        let reviewCase = try await server.cases.open(held).reviewCase
        try await app.test(.router) { client in
            // A moderator may see the request as it arrived.
            let response = try await client.execute(
                uri: "/herdwatch/api/v1/cases/\(reviewCase.id)", method: .get,
                headers: [.authorization: "Bearer \(moderate)"])
            #expect(String(buffer: response.body).contains("203.0.113.9"))
            let listed = try await client.execute(
                uri: "/herdwatch/api/v1/cases", method: .get, headers: [.authorization: "Bearer \(moderate)"])
            #expect(!String(buffer: listed.body).contains("203.0.113.9"))
        }
        // A contractor never does, in any form of the case.
        let contractor = CaseStoreConformance.person(5, .contractor)
        for detailed in [false, true] {
            let rendered = CaseResponse(
                reviewCase, replayWindow: 3600, detailed: detailed, personalData: contractor.allows(.viewPersonalData),
                notes: [])
            var writer = JSONWriter()
            rendered.write(into: &writer)
            let text = String(decoding: writer.bytes, as: UTF8.self)
            #expect(!text.contains("203.0.113.9"))
            #expect(!text.contains("X-Forwarded-For"))
            #expect(!text.contains("\"request\""))
        }
    }

    @Test func bulkDecisionsOnACampaignCluster() async throws {
        let server = try TestServer()
        let check = try await server.token([.check])
        let moderate = try await server.token([.moderate])
        let bob = try RemoteActor(id: "https://other.example/users/bob")
        let app = HerdwatchApplication.make(server.components)
        try await app.test(.router) { client in
            for (sender, text) in [
                (actor, "HOLDME buy cheap watches at our amazing store today, offer one"),
                (bob, "HOLDME buy cheap watches at our amazing store today, offer two"),
                (actor, "HOLDME a long note about gardening and tomatoes in the spring sun"),
            ] {
                _ = try await client.execute(
                    uri: "/api/v1/check", method: .post, headers: [.authorization: "Bearer \(check)"],
                    body: ByteBuffer(string: sender.note(text)))
            }
            let all = try await server.cases.cases(state: .open, limit: 10).sorted { $0.id < $1.id }
            #expect(all.count == 3)
            let (status, preview) = try await call(
                client, .post, "/herdwatch/api/v1/cases/\(all[0].id)/cluster", token: moderate)
            #expect(status == .ok)
            let items = try #require(preview["cases"] as? [[String: Any]])
            #expect(items.compactMap { $0["id"] as? Int } == [Int(all[0].id), Int(all[1].id)])
            #expect(preview["actors"] as? Int == 2 && preview["domains"] as? Int == 2)
            #expect(preview["sample_domains"] as? [String] == ["remote.example", "other.example"])

            // One case changed since the preview: it is reported, the others are decided under one batch id.
            _ = try await server.cases.apply(
                CaseCommand(.claim(lease: 600), by: CaseStoreConformance.person(9), at: Date()), to: all[1].id)
            let body =
                #"{"cases":[{"id":\#(all[0].id),"version":1},{"id":\#(all[1].id),"version":1}],"actions":["reject"],"reason":"spam"}"#
            let (decided, result) = try await call(
                client, .post, "/herdwatch/api/v1/cases/bulk", token: moderate, body: body)
            #expect(decided == .ok)
            #expect(result["decided"] as? [Int] == [Int(all[0].id)])
            #expect((result["failed"] as? [[String: Any]])?.first?["code"] as? String == "stale_version")
            let batch = try #require(result["batch_id"] as? String)
            #expect(try await server.cases.audit(caseID: all[0].id, limit: 1).first?.batchID == batch)
            #expect(try await server.cases.reviewCase(id: all[2].id)?.state == .open)
            let (badReason, _) = try await call(
                client, .post, "/herdwatch/api/v1/cases/bulk", token: moderate,
                body: #"{"cases":[{"id":\#(all[2].id),"version":1}],"actions":["reject"],"reason":"nope"}"#)
            #expect(badReason == .unprocessableContent)
        }
    }
}
