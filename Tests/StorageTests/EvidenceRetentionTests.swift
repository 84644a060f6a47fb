import Access
import Foundation
import HerdwatchTestSupport
import ReviewQueue
import RuleEngine
import Testing

@testable import Storage

@Suite("Evidence retention")
struct EvidenceRetentionTests {
    static let now = Date(timeIntervalSince1970: 1_700_000_000 + 200 * 86_400)

    @Test(arguments: StoreKind.allCases)
    func onlyCasesClosedBeforeTheCutoffLoseTheirEvidenceOnce(kind: StoreKind) async throws {
        let (any, cleanup) = try kind.caseStore()
        defer { cleanup() }
        let store = try #require(any as? any CaseRetentionStore)
        let ann = CaseStoreConformance.person(1, name: "ann")
        func closed(_ key: String, daysAgo: Double) async throws -> ReviewCase {
            var newCase = CaseStoreConformance.newCase(
                id: "https://a.example/activities/\(key)", signer: nil, key: key, body: #"{"k":1}"#)
            newCase.actorDocument = Array(#"{"id":"https://a.example/users/x","type":"Person"}"#.utf8)
            let opened = try await store.open(newCase).reviewCase
            return try await store.apply(
                CaseCommand(
                    .decide(Decision(actions: [.reject], reason: "spam"), delivery: nil), by: ann,
                    at: Self.now.addingTimeInterval(-daysAgo * 86_400)),
                to: opened.id)
        }
        let old = try await closed("old", daysAgo: 100)
        let recent = try await closed("recent", daysAgo: 10)
        let waiting = try await store.open(
            CaseStoreConformance.newCase(id: "https://a.example/activities/open", signer: nil, key: "open", body: "{}")
        ).reviewCase
        let cutoff = Self.now.addingTimeInterval(-90 * 86_400)

        #expect(try await store.purgeEvidence(closedBefore: cutoff, at: Self.now, limit: 10) == [old.id])
        let purged = try #require(try await store.reviewCase(id: old.id))
        #expect(purged.body.isEmpty)
        #expect(purged.request == nil)
        #expect(purged.actorDocument == nil)
        // The digest of what arrived stays, and no longer matches what is stored.
        #expect(purged.evidenceDigest == old.evidenceDigest)
        #expect(purged.currentEvidenceDigest != old.evidenceDigest)
        // The case, its outcome and verdict stay.
        #expect(purged.state == .closed && purged.outcome == .rejected && purged.decidedBy == "ann")
        #expect(purged.verdict == old.verdict)
        #expect(try await store.evidencePurgedAt(caseID: old.id) == Self.now)
        let audit = try await store.audit(caseID: old.id, limit: 10)
        #expect(audit.map(\.action) == [.purge, .reject])
        #expect(audit.first?.via == .expiry)
        #expect(audit.first?.note?.contains("100 days") == true)

        for kept in [recent, waiting] {
            let stored = try #require(try await store.reviewCase(id: kept.id))
            #expect(!stored.body.isEmpty)
            #expect(stored.request != nil)
            #expect(try await store.evidencePurgedAt(caseID: kept.id) == nil)
        }
        // Nothing is purged twice.
        #expect(try await store.purgeEvidence(closedBefore: cutoff, at: Self.now, limit: 10).isEmpty)
        #expect(try await store.audit(caseID: old.id, limit: 10).count == 2)
    }

    @Test(arguments: StoreKind.allCases)
    func aBatchTakesTheOldestFirst(kind: StoreKind) async throws {
        let (any, cleanup) = try kind.caseStore()
        defer { cleanup() }
        let store = try #require(any as? any CaseRetentionStore)
        let ann = CaseStoreConformance.person(1, name: "ann")
        var ids: [Int64] = []
        for daysAgo in [95.0, 120, 100] {
            let opened = try await store.open(
                CaseStoreConformance.newCase(
                    id: "https://a.example/activities/\(daysAgo)", signer: nil, key: "\(daysAgo)")
            ).reviewCase
            _ = try await store.apply(
                CaseCommand(
                    .decide(Decision(actions: [.approve], reason: "spam"), delivery: nil), by: ann,
                    at: Self.now.addingTimeInterval(-daysAgo * 86_400)),
                to: opened.id)
            ids.append(opened.id)
        }
        let cutoff = Self.now.addingTimeInterval(-90 * 86_400)
        #expect(try await store.purgeEvidence(closedBefore: cutoff, at: Self.now, limit: 2) == [ids[1], ids[2]])
        #expect(try await store.purgeEvidence(closedBefore: cutoff, at: Self.now, limit: 2) == [ids[0]])
    }
}
