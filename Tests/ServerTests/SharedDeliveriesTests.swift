import ActivityPub
import Foundation
@testable import HerdwatchServer
import Intake
import Logging
import Reputation
import RuleEngine
import Testing

/// Nodes that share a database share their delivery verdicts: a sender's retry that reaches another node gets the
/// first node's verdict and is not counted in reputation again. Each `Assessor` here stands for one node: its own
/// memory of recent deliveries, its own reputation, one ledger between them.
@Suite("Shared delivery verdicts")
struct SharedDeliveriesTests {
    static let at = Date(timeIntervalSince1970: 1_765_000_000)

    func input(_ id: String, text: String, signer: String = "https://far.example/users/ana") throws -> Assessor.Input {
        let text = #"{"id":"\#(id)","type":"Create","actor":"https://far.example/users/ana","object":{"id":"\#(id)/object","type":"Note","content":"\#(text)"}}"#
        let body = Array(text.utf8)
        let activity = try Activity(json: try JSONValue.parse(body))
        let provenance = Provenance(signature: .verified(signer: signer, keyID: signer + "#main-key", created: nil), signer: signer, actorMismatch: false)
        return Assessor.Input(activity: activity, body: body, provenance: provenance, at: Self.at)
    }

    func node(_ ledger: (any DeliveryLedger)?) throws -> (Assessor, Reputation) {
        let reputation = Reputation(store: InMemoryReputationStore())
        return (Assessor(engines: RuleEngineHolder(try TestRules.engine()), reputation: reputation, cases: nil, ledger: ledger), reputation)
    }

    func activitiesSeen(_ reputation: Reputation, _ input: Assessor.Input) throws -> Double? {
        try reputation.signals(for: Normalizer.subject(for: input.activity, now: Self.at), at: Self.at).values["actor.activities_seen"]
    }

    @Test func aRetryOnAnotherNodeGetsTheFirstVerdictAndIsCountedOnce() async throws {
        let ledger = InMemoryDeliveryLedger()
        let (first, firstReputation) = try node(ledger)
        let (second, secondReputation) = try node(ledger)
        let delivery = try input("https://far.example/statuses/1", text: "please holdme")

        let original = await first.assess(delivery)
        #expect(original.verdict.action == .hold)
        #expect(!original.duplicate)
        #expect(ledger.count == 1)

        let retry = await second.assess(delivery)
        #expect(retry.duplicate, "the second node assessed a delivery the first had decided")
        #expect(retry.verdict == original.verdict)
        #expect(try activitiesSeen(firstReputation, delivery) == 1)
        #expect(try activitiesSeen(secondReputation, delivery) == 0, "the retry was counted again on the second node")

        // Remembered on the second node now: a third copy there is a repeat without asking the ledger.
        #expect(await second.assess(delivery).duplicate)
    }

    @Test func anotherBodyOrSignerUnderTheSameIdIsAssessed() async throws {
        let ledger = InMemoryDeliveryLedger()
        let (first, _) = try node(ledger)
        let (second, _) = try node(ledger)
        _ = await first.assess(try input("https://far.example/statuses/2", text: "please holdme"))
        // The same id with other bytes, or re-signed by a third party, cannot borrow the first verdict.
        let changed = await second.assess(try input("https://far.example/statuses/2", text: "please rejectme"))
        #expect(!changed.duplicate)
        #expect(changed.verdict.action == .reject)
        let resigned = await second.assess(
            try input("https://far.example/statuses/2", text: "please holdme", signer: "https://other.example/users/m"))
        #expect(!resigned.duplicate)
        #expect(ledger.count == 3)
    }

    @Test func unsignedDeliveriesStayOutOfTheLedger() async throws {
        let ledger = InMemoryDeliveryLedger()
        let (first, _) = try node(ledger)
        let (second, _) = try node(ledger)
        let text = #"{"id":"https://far.example/statuses/5","type":"Create","actor":"https://far.example/users/ana","object":{"id":"https://far.example/statuses/5/object","type":"Note","content":"hello"}}"#
        let unsigned = Assessor.Input(
            activity: try Activity(json: try JSONValue.parse(Array(text.utf8))), body: Array(text.utf8),
            provenance: Provenance(stated: .unsigned, actorID: "https://far.example/users/ana"), at: Self.at)
        _ = await first.assess(unsigned)
        // A sender who signs nothing cannot make the nodes store a row per request.
        #expect(ledger.count == 0)
        #expect(!(await second.assess(unsigned)).duplicate)
        // The node that saw it still knows it.
        #expect(await first.assess(unsigned).duplicate)
    }

    @Test func withoutALedgerEachNodeAssessesTheRetry() async throws {
        // What happened before the ledger: the baseline the first test rules out.
        let (first, _) = try node(nil)
        let (second, secondReputation) = try node(nil)
        let delivery = try input("https://far.example/statuses/3", text: "hello")
        _ = await first.assess(delivery)
        #expect(!(await second.assess(delivery)).duplicate)
        #expect(try activitiesSeen(secondReputation, delivery) == 1)
    }

    @Test func aLedgerThatCannotBeReadLeavesTheDeliveryAssessed() async throws {
        let (node, _) = try node(FailingLedger())
        let assessment = await node.assess(try input("https://far.example/statuses/4", text: "please flagme"))
        #expect(assessment.verdict.action == .flag)
        #expect(!assessment.duplicate)
        #expect(assessment.reputationFailure == nil)
    }

    @Test func forgettingDropsOnlyOlderEntries() async throws {
        let ledger = InMemoryDeliveryLedger()
        let verdict = Verdict(action: .accept, score: 0, hits: [], shadowHits: [], errors: [], rulesetVersion: "t")
        let old = DeliveryKey(id: "old", signer: "", body: [])
        let new = DeliveryKey(id: "new", signer: "", body: [])
        try await ledger.remember(verdict, for: old, at: Self.at)
        try await ledger.remember(verdict, for: new, at: Self.at.addingTimeInterval(7_200))
        #expect(try await ledger.forget(before: Self.at.addingTimeInterval(3_600)) == 1)
        #expect(try await ledger.verdict(for: old) == nil)
        #expect(try await ledger.verdict(for: new) == verdict)
    }
}

extension SharedDeliveriesTests {
    @Test func theLedgerServiceDropsWhatIsOlderThanTheRetention() async throws {
        let ledger = InMemoryDeliveryLedger()
        let verdict = Verdict(action: .accept, score: 0, hits: [], shadowHits: [], errors: [], rulesetVersion: "t")
        try await ledger.remember(verdict, for: DeliveryKey(id: "two-days", signer: "", body: []), at: Self.at.addingTimeInterval(-2 * 86_400))
        try await ledger.remember(verdict, for: DeliveryKey(id: "an-hour", signer: "", body: []), at: Self.at.addingTimeInterval(-3_600))
        let service = DeliveryLedgerService(
            ledger: ledger, retention: 86_400, interval: .seconds(60), logger: Logger(label: "test"), now: { Self.at })
        await service.prune()
        #expect(ledger.count == 1)
        #expect(try await ledger.verdict(for: DeliveryKey(id: "an-hour", signer: "", body: [])) == verdict)
    }
}

private struct FailingLedger: DeliveryLedger {
    struct Down: Error {}
    func verdict(for key: DeliveryKey) async throws -> Verdict? { throw Down() }
    func remember(_ verdict: Verdict, for key: DeliveryKey, at date: Date) async throws { throw Down() }
    func forget(before date: Date) async throws -> Int { throw Down() }
}
