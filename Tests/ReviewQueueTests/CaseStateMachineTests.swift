import Access
import Foundation
import ReviewQueue
import RuleEngine
import Testing

@Suite("Case state machine")
struct CaseStateMachineTests {
    static let at = Date(timeIntervalSince1970: 1_700_000_000)

    static func person(_ id: Int64, _ role: Account.Role) -> Principal {
        Principal(
            account: Account(id: id, username: "p\(id)", role: role, passwordHash: "-", createdAt: at), token: nil,
            via: .ui)
    }

    static func reviewCase(_ state: ReviewCase.State, lease: ReviewCase.Lease? = nil) -> ReviewCase {
        ReviewCase(
            id: 1, activityID: "https://a.example/1", actorID: "https://a.example/users/a", deliveryKey: "k",
            source: .hook, action: .hold,
            verdict: Verdict(action: .hold, score: 1, hits: [], shadowHits: [], errors: [], rulesetVersion: "t"),
            state: state,
            outcome: state == .closed ? .rejected : nil, version: 4, lease: lease, openedAt: at, body: [], request: nil)
    }

    static let reject = CaseCommand.Kind.decide(Decision(actions: [.reject], reason: "spam"), delivery: nil)
    static let escalate = CaseCommand.Kind.decide(Decision(actions: [.escalate], reason: "spam"), delivery: nil)
    static let approve = CaseCommand.Kind.decide(
        Decision(actions: [.approve], reason: "not_a_violation"), delivery: nil)

    enum Expected {
        case reaches(ReviewCase.State)
        case refused(CaseWorkflowError.Code)
    }

    /// Every state against every command by a moderator: the state reached, or the refusal.
    static let table: [(ReviewCase.State, CaseCommand.Kind, Expected)] = [
        (.open, .claim(lease: 60), .reaches(.inReview)),
        (.open, .release, .refused(.badTransition)),
        (.open, .renew(lease: 60), .refused(.badTransition)),
        (.open, reject, .reaches(.closed)),
        (.open, approve, .reaches(.closed)),
        (.open, escalate, .reaches(.escalated)),
        (.open, .reopen(reason: "other", note: nil), .refused(.badTransition)),
        (.escalated, .claim(lease: 60), .refused(.forbidden)),
        (.escalated, reject, .refused(.forbidden)),
        (.escalated, .reopen(reason: "other", note: nil), .refused(.badTransition)),
        (.closed, .claim(lease: 60), .refused(.badTransition)),
        (.closed, reject, .refused(.badTransition)),
        (.closed, .reopen(reason: "other", note: nil), .reaches(.open)),
    ]

    @Test(arguments: 0..<table.count)
    func moves(index: Int) throws {
        let (state, kind, expected) = Self.table[index]
        let result = Result { () throws(CaseWorkflowError) in
            try Self.reviewCase(state).applying(CaseCommand(kind, by: Self.person(1, .moderator), at: Self.at))
        }
        switch (result, expected) {
        case (.success(let update), .reaches(let wanted)):
            #expect(update.reviewCase.state == wanted)
            #expect(update.reviewCase.version == 5)
            #expect(update.audit.count == 1)
            #expect(update.audit.first?.fromState == state && update.audit.first?.toState == wanted)
        case (.failure(let error), .refused(let wanted)):
            #expect(error.code == wanted)
            #expect(error.caseID == 1)
        default:
            Issue.record("\(state) + \(kind): got \(result), wanted \(expected)")
        }
    }

    @Test func leadsWorkEscalatedCases() throws {
        let lead = Self.person(2, .lead)
        let update = try Self.reviewCase(.escalated).applying(CaseCommand(Self.approve, by: lead, at: Self.at))
        #expect(
            update.reviewCase.state == .closed && update.reviewCase.outcome == .approved
                && update.reviewCase.decidedBy == "p2")
        #expect(throws: CaseWorkflowError.self) {
            try Self.reviewCase(.escalated).applying(CaseCommand(Self.escalate, by: lead, at: Self.at))
        }
    }

    @Test func principalsWithoutDecideCannotTouchCases() {
        let checkOnly = Principal(
            account: nil, token: AccessToken(id: 9, name: "hook", scopes: [.check], createdAt: Self.at), via: .api)
        #expect(
            throws: CaseWorkflowError(
                .forbidden, "token 9 (hook) may not work cases; ask an admin for the moderator role", caseID: 1)
        ) {
            try Self.reviewCase(.open).applying(CaseCommand(.claim(lease: 60), by: checkOnly, at: Self.at))
        }
    }

    @Test func aBoundTokenHoldsItsPersonsLease() throws {
        let lease = ReviewCase.Lease(holder: "account:3", holderName: "p3", expiresAt: Self.at.addingTimeInterval(60))
        let token = Principal(
            account: Self.person(3, .moderator).account,
            token: AccessToken(id: 4, name: "script", scopes: [.moderate], createdAt: Self.at, accountID: 3), via: .api)
        let update = try Self.reviewCase(.inReview, lease: lease).applying(
            CaseCommand(Self.reject, by: token, at: Self.at))
        #expect(update.reviewCase.state == .closed)
        #expect(update.audit.first?.actor == "p3 (token 4)" && update.audit.first?.accountID == 3)
    }
}

@Suite("Case priority")
struct CasePriorityTests {
    static func verdict(_ action: RuleAction, score: Double, campaign: String? = nil) -> Verdict {
        let evidence = campaign.map { [Evidence(kind: .field, field: "campaign.size", detail: $0)] } ?? []
        return Verdict(
            action: action, score: score,
            hits: [RuleHit(rule: "r", description: "", score: score, action: nil, tags: [], evidence: evidence)],
            shadowHits: [], errors: [], rulesetVersion: "t")
    }

    @Test(arguments: [
        (verdict(.hold, score: 5), 1050),
        (verdict(.flag, score: 5), 50),
        (verdict(.flag, score: 500), 400),
        (verdict(.hold, score: -3), 1000),
        (verdict(.hold, score: 2, campaign: "campaign.size = 12 (≥ 5)"), 1080),
        (verdict(.flag, score: 0, campaign: "campaign.size = 4000 (≥ 5)"), 500),
    ])
    func formula(verdict: Verdict, expected: Int) {
        #expect(CasePriority.of(verdict, action: verdict.action) == expected)
    }

    @Test func heldAlwaysOutranksFlagged() {
        #expect(
            CasePriority.of(Self.verdict(.hold, score: 0), action: .hold)
                > CasePriority.of(Self.verdict(.flag, score: 50, campaign: "campaign.size = 100"), action: .flag))
    }
}
