import Access
import Foundation
import HerdwatchTestSupport
import ReviewQueue
import RuleEngine
import Testing

@testable import Storage

@Suite("QA reviews")
struct QAReviewTests {
    static let at = Date(timeIntervalSince1970: 1_700_000_000)
    static let ann = CaseStoreConformance.person(1, name: "ann")
    static let bob = CaseStoreConformance.person(2, name: "bob")
    static let cat = CaseStoreConformance.person(3, name: "cat")

    static func qaStore(_ kind: StoreKind) throws -> (any CaseQAStore, @Sendable () -> Void) {
        let (store, cleanup) = try kind.caseStore()
        return (try #require(store as? any CaseQAStore), cleanup)
    }

    /// Opens and closes a case with `outcome`, decided by `who`.
    static func closed(_ store: any CaseStore, _ key: String, by who: Principal, _ action: Decision.Action = .reject)
        async throws -> ReviewCase
    {
        let opened = try await store.open(
            CaseStoreConformance.newCase(id: "https://a.example/activities/\(key)", signer: nil, key: key)
        ).reviewCase
        return try await store.apply(
            CaseCommand(.decide(Decision(actions: [action], reason: "spam"), delivery: nil), by: who, at: at),
            to: opened.id)
    }

    @Test func samplingIsAStableShareOfCaseIDs() {
        let ids = Array(Int64(1)...2000)
        #expect(ids.filter { QASampling.isSampled(caseID: $0, share: 0) }.isEmpty)
        #expect(ids.allSatisfy { QASampling.isSampled(caseID: $0, share: 1) })
        let tenth = ids.filter { QASampling.isSampled(caseID: $0, share: 0.1) }.count
        #expect((150...250).contains(tenth))
        // A larger share keeps every case a smaller one took.
        #expect(
            ids.allSatisfy {
                !QASampling.isSampled(caseID: $0, share: 0.1) || QASampling.isSampled(caseID: $0, share: 0.3)
            })
    }

    @Test(arguments: StoreKind.allCases)
    func theStoreSamplesTheCasesTheHashNames(kind: StoreKind) async throws {
        let (store, cleanup) = try Self.qaStore(kind)
        defer { cleanup() }
        var ids: [Int64] = []
        for index in 0..<30 { ids.append(try await Self.closed(store, "c\(index)", by: Self.ann).id) }
        _ = try await store.open(
            CaseStoreConformance.newCase(id: "https://a.example/activities/open", signer: nil, key: "open"))
        var handed: [Int64] = []
        while let (review, _) = try await store.nextQA(for: Self.bob, share: 0.3, lease: 600, at: Self.at) {
            handed.append(review.caseID)
            _ = try await store.answerQA(caseID: review.caseID, outcome: .rejected, by: Self.bob, at: Self.at)
        }
        #expect(!handed.isEmpty)
        #expect(handed == ids.filter { QASampling.isSampled(caseID: $0, share: 0.3) })
    }

    @Test(arguments: StoreKind.allCases)
    func anotherModeratorAnswersBlindAndAgreementIsCounted(kind: StoreKind) async throws {
        let (store, cleanup) = try Self.qaStore(kind)
        defer { cleanup() }
        let first = try await Self.closed(store, "one", by: Self.ann, .reject)
        // The first decider is never handed their own case.
        #expect(try await store.nextQA(for: Self.ann, share: 1, lease: 600, at: Self.at) == nil)
        let (review, shown) = try #require(try await store.nextQA(for: Self.bob, share: 1, lease: 600, at: Self.at))
        #expect(review.caseID == first.id && shown.id == first.id)
        #expect(review.firstDecider == "ann" && review.firstOutcome == .rejected)
        // Leased to bob: nobody else gets it until the lease runs out.
        #expect(try await store.nextQA(for: Self.cat, share: 1, lease: 600, at: Self.at) == nil)
        await #expect(throws: CaseWorkflowError.self) {
            try await store.answerQA(caseID: first.id, outcome: .rejected, by: Self.cat, at: Self.at)
        }
        await #expect(throws: CaseWorkflowError.self) {
            try await store.answerQA(caseID: first.id, outcome: .rejected, by: Self.ann, at: Self.at)
        }
        let answered = try await store.answerQA(caseID: first.id, outcome: .approved, by: Self.bob, at: Self.at)
        #expect(answered.agrees == false)
        #expect(answered.reviewer == "bob")
        do {
            _ = try await store.answerQA(caseID: first.id, outcome: .rejected, by: Self.bob, at: Self.at)
            Issue.record("a QA review was answered twice")
        } catch let error as CaseWorkflowError {
            #expect(error.code == .badTransition)
        }
        let second = try await Self.closed(store, "two", by: Self.cat, .approve)
        let (next, _) = try #require(try await store.nextQA(for: Self.bob, share: 1, lease: 600, at: Self.at))
        #expect(next.caseID == second.id)
        _ = try await store.answerQA(caseID: second.id, outcome: .approved, by: Self.bob, at: Self.at)
        let agreement = try await store.qaAgreement()
        #expect(
            agreement.moderators == [
                QAAgreement(name: "ann", reviewed: 1, agreed: 0), QAAgreement(name: "cat", reviewed: 1, agreed: 1),
            ])
        #expect(try await store.nextQA(for: Self.bob, share: 1, lease: 600, at: Self.at) == nil)
    }

    @Test(arguments: StoreKind.allCases)
    func contractorsDoNoQA(kind: StoreKind) async throws {
        let (store, cleanup) = try Self.qaStore(kind)
        defer { cleanup() }
        _ = try await Self.closed(store, "one", by: Self.ann)
        await #expect(throws: CaseWorkflowError.self) {
            try await store.nextQA(for: CaseStoreConformance.person(9, .contractor), share: 1, lease: 600, at: Self.at)
        }
    }
}
