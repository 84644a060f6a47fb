import Access
import Foundation
import ReviewQueue
import RuleEngine
import Testing

extension CaseStoreConformance {
    /// A case with a chosen verdict, actor and time.
    static func custom(
        _ key: String, action: RuleAction = .hold, score: Double = 5, rules: [(String, [String])] = [],
        actor: String = "https://a.example/users/alice", language: String? = nil, openedAt: Date = at
    ) -> NewCase {
        let hits = rules.map { RuleHit(rule: $0.0, description: "", score: 1, action: nil, tags: $0.1, evidence: []) }
        let map = language.map { #","contentMap":{"\#($0)":"text"}"# } ?? ""
        let body =
            #"{"type":"Create","id":"https://a.example/activities/\#(key)","actor":"\#(actor)","object":{"type":"Note","id":"https://a.example/notes/\#(key)","content":"text"\#(map)}}"#
        return NewCase(
            activityID: "https://a.example/activities/\(key)", actorID: actor, signer: actor, deliveryKey: key,
            source: .hook,
            verdict: Verdict(action: action, score: score, hits: hits, shadowHits: [], errors: [], rulesetVersion: "t"),
            body: Array(body.utf8), request: nil, openedAt: openedAt)
    }

    static func opened(_ store: any CaseStore, _ newCase: NewCase) async throws -> ReviewCase {
        try await store.open(newCase).reviewCase
    }

    static func code(_ body: () async throws -> some Any) async -> CaseWorkflowError.Code? {
        do {
            _ = try await body()
            return nil
        } catch let error as CaseWorkflowError {
            return error.code
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    static let workflow: [ConformanceCheck<any CaseStore>] = [
        ConformanceCheck("claims, versions and leases guard decisions; every move is audited") { store in
            let reviewCase = try await opened(store, custom("w1"))
            let alice = person(1, name: "alice")
            let bob = person(2, name: "bob")
            let claimed = try await store.apply(CaseCommand(.claim(lease: 600), by: alice, at: at), to: reviewCase.id)
            #expect(claimed.state == .inReview)
            #expect(
                claimed.lease
                    == ReviewCase.Lease(holder: "account:1", holderName: "alice", expiresAt: at.addingTimeInterval(600))
            )
            #expect(claimed.version == 2)
            // Someone else cannot decide, claim or release it while the lease lives.
            #expect(
                await code {
                    try await store.apply(CaseCommand(decision([.reject]), by: bob, at: at), to: reviewCase.id)
                } == .leasedElsewhere)
            #expect(
                await code {
                    try await store.apply(CaseCommand(.claim(lease: 600), by: bob, at: at), to: reviewCase.id)
                } == .leasedElsewhere)
            // A stale version is refused, naming the current one.
            do {
                _ = try await store.apply(
                    CaseCommand(decision([.reject]), by: alice, version: 1, at: at), to: reviewCase.id)
                Issue.record("a stale version was accepted")
            } catch let error as CaseWorkflowError {
                #expect(error.code == .staleVersion)
                #expect(error.currentVersion == 2)
                #expect(error.message.contains("version 2"))
            }
            #expect(
                await code {
                    try await store.apply(
                        CaseCommand(decision([.reject], reason: "bogus"), by: alice, at: at), to: reviewCase.id)
                } == .badReason)
            #expect(
                await code {
                    try await store.apply(
                        CaseCommand(decision([.reject, .approve]), by: alice, at: at), to: reviewCase.id)
                } == .badDecision)
            #expect(
                await code {
                    try await store.apply(
                        CaseCommand(.reopen(reason: "other", note: nil), by: alice, at: at), to: reviewCase.id)
                } == .badTransition)
            let later = at.addingTimeInterval(60)
            let decided = try await store.apply(
                CaseCommand(decision([.reject], note: "same text as case 4"), by: alice, version: 2, at: later),
                to: reviewCase.id)
            #expect(
                decided.state == .closed && decided.outcome == .rejected && decided.lease == nil && decided.version == 3
            )
            // Once the lease is gone, another moderator may reopen.
            let reopened = try await store.apply(
                CaseCommand(.reopen(reason: "other", note: "appeal"), by: bob, at: later), to: reviewCase.id)
            #expect(reopened.state == .open && reopened.outcome == nil && reopened.version == 4)
            let audit = try await store.audit(caseID: reviewCase.id, limit: 10)
            #expect(audit.map(\.action) == [.reopen, .reject, .claim])
            #expect(audit.map(\.actor) == ["bob", "alice", "alice"])
            #expect(audit.map(\.fromState) == [.closed, .inReview, .open])
            #expect(audit.map(\.toState) == [.open, .closed, .inReview])
            #expect(
                audit[1].reason == "spam" && audit[1].note == "same text as case 4" && audit[1].accountID == 1
                    && audit[1].via == .ui)
            #expect(audit[0].at == later)
            #expect(Set(audit.map(\.id)).count == 3)
            #expect(try await store.audit(caseID: nil, limit: 2).map(\.id) == Array(audit.map(\.id).prefix(2)))
        },
        ConformanceCheck("leases renew, release and expire") { store in
            let reviewCase = try await opened(store, custom("w2"))
            let alice = person(1)
            _ = try await store.apply(CaseCommand(.claim(lease: 60), by: alice, at: at), to: reviewCase.id)
            let renewed = try await store.apply(
                CaseCommand(.renew(lease: 600), by: alice, at: at.addingTimeInterval(30)), to: reviewCase.id)
            #expect(renewed.lease?.expiresAt == at.addingTimeInterval(630))
            #expect(
                await code {
                    try await store.apply(CaseCommand(.renew(lease: 600), by: person(2), at: at), to: reviewCase.id)
                } == .leasedElsewhere)
            let released = try await store.apply(
                CaseCommand(.release, by: alice, at: at.addingTimeInterval(40)), to: reviewCase.id)
            #expect(released.state == .open && released.lease == nil)
            #expect(
                await code { try await store.apply(CaseCommand(.release, by: alice, at: at), to: reviewCase.id) }
                    == .badTransition)
            // An expired lease frees the case for anyone, and `expireLeases` puts it back in the queue.
            _ = try await store.apply(CaseCommand(.claim(lease: 60), by: alice, at: at), to: reviewCase.id)
            #expect(try await store.expireLeases(at: at.addingTimeInterval(59)) == 0)
            #expect(try await store.expireLeases(at: at.addingTimeInterval(61)) == 1)
            let expired = try #require(try await store.reviewCase(id: reviewCase.id))
            #expect(expired.state == .open && expired.lease == nil)
            let entry = try #require(try await store.audit(caseID: reviewCase.id, limit: 1).first)
            #expect(entry.action == .expire && entry.via == .expiry)
            _ = try await store.apply(CaseCommand(.claim(lease: 60), by: alice, at: at), to: reviewCase.id)
            let taken = try await store.apply(
                CaseCommand(.claim(lease: 60), by: person(2), at: at.addingTimeInterval(61)), to: reviewCase.id)
            #expect(taken.lease?.holder == "account:2")
        },
        ConformanceCheck("next hands out the highest priority, oldest free case") { store in
            let flagged = try await opened(store, custom("n1", action: .flag, score: 40, openedAt: at))
            let heldLate = try await opened(
                store, custom("n2", action: .hold, score: 5, openedAt: at.addingTimeInterval(20)))
            let heldEarly = try await opened(
                store, custom("n3", action: .hold, score: 5, openedAt: at.addingTimeInterval(10)))
            let heldHigh = try await opened(
                store, custom("n4", action: .hold, score: 9, openedAt: at.addingTimeInterval(30)))
            #expect(
                heldHigh.priority > heldEarly.priority && heldEarly.priority == heldLate.priority
                    && heldLate.priority > flagged.priority)
            #expect(
                try await store.cases(state: .open, limit: 10).map(\.id) == [
                    heldHigh.id, heldEarly.id, heldLate.id, flagged.id,
                ])
            var handed: [Int64] = []
            for index in 1...4 {
                let next = try #require(try await store.next(for: person(Int64(index)), queue: nil, lease: 600, at: at))
                #expect(next.state == .inReview && next.lease?.holder == "account:\(index)")
                handed.append(next.id)
            }
            #expect(handed == [heldHigh.id, heldEarly.id, heldLate.id, flagged.id])
            #expect(try await store.next(for: person(9), queue: nil, lease: 600, at: at) == nil)
            // Leases that ran out count as free.
            let again = try await store.next(for: person(9), queue: nil, lease: 600, at: at.addingTimeInterval(601))
            #expect(again?.id == heldHigh.id && again?.lease?.holder == "account:9")
        },
        ConformanceCheck("concurrent next calls never hand out a case twice") { store in
            for index in 0..<12 { _ = try await opened(store, custom("c\(index)")) }
            let handed = try await withThrowingTaskGroup(of: Int64?.self) { group in
                for index in 0..<30 {
                    group.addTask {
                        try await store.next(for: person(Int64(100 + index)), queue: nil, lease: 600, at: at)?.id
                    }
                }
                var ids: [Int64?] = []
                for try await id in group { ids.append(id) }
                return ids
            }
            let ids = handed.compactMap { $0 }
            #expect(ids.count == 12)
            #expect(Set(ids).count == 12)
            #expect(try await store.caseCounts() == [.inReview: 12])
        },
        ConformanceCheck("escalations and proposals wait for a lead") { store in
            let reviewCase = try await opened(store, custom("e1", actor: "https://spam.example/users/bot"))
            let moderator = person(1)
            let lead = person(2, .lead, name: "lee")
            let escalated = try await store.apply(
                CaseCommand(
                    decision([.escalate, .suspendActor, .blockDomain], note: "whole instance"), by: moderator, at: at),
                to: reviewCase.id)
            #expect(escalated.state == .escalated)
            #expect(
                await code {
                    try await store.apply(CaseCommand(decision([.reject]), by: moderator, at: at), to: reviewCase.id)
                } == .forbidden)
            #expect(
                await code {
                    try await store.apply(CaseCommand(decision([.escalate]), by: lead, at: at), to: reviewCase.id)
                } == .badTransition)
            let pending = try await store.proposals(state: .pending, limit: 10)
            #expect(pending.map(\.action) == [.suspendActor, .blockDomain])
            #expect(pending.map(\.target) == ["https://spam.example/users/bot", "spam.example"])
            #expect(
                pending.allSatisfy {
                    $0.caseID == reviewCase.id && $0.reason == "spam" && $0.proposedBy == "moderator1"
                })
            #expect(
                await code { try await store.resolveProposal(id: pending[1].id, confirm: true, by: moderator, at: at) }
                    == .forbidden)
            let confirmed = try await store.resolveProposal(id: pending[1].id, confirm: true, by: lead, at: at)
            #expect(confirmed.state == .confirmed && confirmed.resolvedBy == "lee")
            let refused = try await store.resolveProposal(id: pending[0].id, confirm: false, by: lead, at: at)
            #expect(refused.state == .refused)
            #expect(
                await code { try await store.resolveProposal(id: pending[0].id, confirm: true, by: lead, at: at) }
                    == .badTransition)
            #expect(try await store.proposals(state: .confirmed, limit: 10).map(\.target) == ["spam.example"])
            let closed = try await store.apply(CaseCommand(decision([.reject]), by: lead, at: at), to: reviewCase.id)
            #expect(closed.outcome == .rejected)
            #expect(
                try await store.audit(caseID: reviewCase.id, limit: 10).map(\.action) == [
                    .reject, .refuse, .confirm, .propose, .propose, .escalate,
                ])
        },
        ConformanceCheck("notes on actors and domains show on their later cases") { store in
            let first = try await opened(store, custom("o1", actor: "https://spam.example/users/bot"))
            let second = try await opened(store, custom("o2", actor: "https://spam.example/users/bot"))
            let elsewhere = try await opened(store, custom("o3", actor: "https://fine.example/users/carol"))
            let alice = person(1, name: "alice")
            _ = try await store.addNote("case note", on: .reviewCase(first.id), by: alice, at: at)
            _ = try await store.addNote("actor note", on: .actor("https://spam.example/users/bot"), by: alice, at: at)
            _ = try await store.addNote("domain note", on: .domain("spam.example"), by: alice, at: at)
            #expect(
                try await store.notes(about: .reviewCase(first.id)).map(\.text) == [
                    "case note", "actor note", "domain note",
                ])
            let later = try await store.notes(about: .reviewCase(second.id))
            #expect(later.map(\.text) == ["actor note", "domain note"])
            #expect(later.first?.author == "alice" && later.first?.subject == .actor("https://spam.example/users/bot"))
            #expect(try await store.notes(about: .reviewCase(elsewhere.id)).isEmpty)
            #expect(try await store.audit(caseID: first.id, limit: 5).map(\.action) == [.note])
            #expect(await code { try await store.addNote("x", on: .reviewCase(9999), by: alice, at: at) } == .notFound)
        },
        ConformanceCheck("queues filter cases and limit contractors") { store in
            let held = try await opened(
                store,
                custom("q1", action: .hold, rules: [("spam.link", ["links"])], actor: "https://a.example/users/x"))
            let flagged = try await opened(
                store,
                custom(
                    "q2", action: .flag, rules: [("abuse.slur", ["hate"])], actor: "https://b.example/users/y",
                    language: "de"))
            #expect(try await store.cases(matching: CaseFilter(action: .flag), limit: 10).map(\.id) == [flagged.id])
            #expect(try await store.cases(matching: CaseFilter(ruleID: "spam.link"), limit: 10).map(\.id) == [held.id])
            #expect(try await store.cases(matching: CaseFilter(ruleID: "spam"), limit: 10).isEmpty)
            #expect(try await store.cases(matching: CaseFilter(ruleTag: "hate"), limit: 10).map(\.id) == [flagged.id])
            #expect(try await store.cases(matching: CaseFilter(domain: "A.example"), limit: 10).map(\.id) == [held.id])
            #expect(try await store.cases(matching: CaseFilter(language: "de"), limit: 10).map(\.id) == [flagged.id])
            try await store.saveQueue(CaseQueue(name: "hate", filter: CaseFilter(ruleTag: "hate")))
            try await store.saveQueue(CaseQueue(name: "held", filter: CaseFilter(action: .hold)))
            try await store.saveQueue(CaseQueue(name: "held", filter: CaseFilter(state: .open, action: .hold)))
            #expect(
                try await store.queues() == [
                    CaseQueue(name: "hate", filter: CaseFilter(ruleTag: "hate")),
                    CaseQueue(name: "held", filter: CaseFilter(state: .open, action: .hold)),
                ])
            let contractor = person(7, .contractor, name: "cory")
            // Without queues a contractor gets nothing.
            #expect(try await store.next(for: contractor, queue: nil, lease: 600, at: at) == nil)
            try await store.assignQueues(["hate"], toAccount: 7)
            #expect(try await store.assignedQueues(account: 7) == ["hate"])
            #expect(
                await code { try await store.next(for: contractor, queue: "held", lease: 600, at: at) } == .forbidden)
            #expect(
                await code {
                    try await store.apply(CaseCommand(.claim(lease: 600), by: contractor, at: at), to: held.id)
                } == .forbidden)
            let mine = try await store.next(for: contractor, queue: nil, lease: 600, at: at)
            #expect(mine?.id == flagged.id)
            #expect(try await store.next(for: contractor, queue: "hate", lease: 600, at: at) == nil)
            // A moderator's `next` on a queue gets that queue's cases.
            #expect(try await store.next(for: person(1), queue: "held", lease: 600, at: at)?.id == held.id)
            #expect(await code { try await store.next(for: person(1), queue: "nope", lease: 600, at: at) } == .notFound)
            #expect(try await store.deleteQueue(named: "hate"))
            #expect(try await store.assignedQueues(account: 7).isEmpty)
            #expect(try await !store.deleteQueue(named: "hate"))
        },
    ]
}

extension CaseStoreConformance {
    static func flag(_ key: String, about actor: String, comment: String? = "spam") -> NewReport {
        NewReport(
            activityID: "https://reporter.example/flags/\(key)", reporter: "https://reporter.example/actor",
            flaggedActor: actor,
            objects: [actor, "https://x.example/statuses/1"], comment: comment, deliveryKey: "flag-\(key)",
            source: .hook,
            verdict: Verdict(action: .accept, score: 0, hits: [], shadowHits: [], errors: [], rulesetVersion: "t"),
            body: Array(#"{"type":"Flag"}"#.utf8), request: nil, receivedAt: at)
    }

    static let reports: [ConformanceCheck<any CaseStore>] = [
        ConformanceCheck("remote reports join the open case about the flagged actor or open one") { store in
            let held = try await opened(store, custom("f1", actor: "https://x.example/users/spammer"))
            let joined = try await store.report(flag("1", about: "https://x.example/users/spammer"))
            guard case .duplicate(let same) = joined else {
                Issue.record("a report on an actor with an open case should join it")
                return
            }
            #expect(same.id == held.id && same.reports == 1 && same.priority == held.priority + NewReport.reportBoost)
            // A repeat of the same report delivery files nothing.
            #expect(try await store.report(flag("1", about: "https://x.example/users/spammer")).reviewCase.reports == 1)
            let reports = try await store.reports(caseID: held.id)
            #expect(reports.map(\.activityID) == ["https://reporter.example/flags/1"])
            #expect(reports.first?.objects == ["https://x.example/users/spammer", "https://x.example/statuses/1"])
            #expect(reports.first?.comment == "spam" && reports.first?.reporter == "https://reporter.example/actor")
            // No open case about this actor: the report opens one, booked on nobody (never on the reporter).
            let fresh = try await store.report(flag("2", about: "https://y.example/users/troll", comment: nil))
            guard case .opened(let reported) = fresh else {
                Issue.record("a report on an actor without a case should open one")
                return
            }
            #expect(reported.actorID == "https://y.example/users/troll" && reported.signer == nil)
            #expect(reported.action == .flag && reported.reports == 1 && reported.state == .open)
            // Once the case is closed, the next report opens a new one.
            _ = try await store.apply(CaseCommand(decision([.reject]), by: person(1), at: at), to: reported.id)
            let again = try await store.report(flag("3", about: "https://y.example/users/troll"))
            guard case .opened(let second) = again else {
                Issue.record("a report after the case closed should open a new case")
                return
            }
            #expect(second.id != reported.id)
        }
    ]
}
