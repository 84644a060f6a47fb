import Access
import ActivityPub
import AsyncHTTPClient
import Foundation
import Intake
import Logging
import NIOHTTP1
import Reputation
import ReviewQueue
import RuleEngine
import Synchronization

/// Deciding cases: an approved held delivery is replayed to the instance with its original headers while its
/// signature is still inside the instance's date window; approvals teach reputation "ham" and rejections "spam",
/// booked on the delivery's verified signer (never the actor it merely claims); the store records the decision,
/// its proposals and its audit entries in one transaction.
struct CaseDecisions: Sendable {
    let cases: any CaseStore
    let reputation: Reputation?
    let upstream: Upstream?
    let replayWindow: TimeInterval
    let work: any BlockingWork
    let metrics: ServerMetrics
    let logger: Logger
    /// The reason codes a decision may carry.
    var reasons: [String] = ReasonCodes.default
    /// Cases a decision is being made on, so that two moderators approving at once replay a delivery once.
    private let deciding = DecidingCases()

    init(
        cases: any CaseStore, reputation: Reputation?, upstream: Upstream?, replayWindow: TimeInterval,
        work: any BlockingWork,
        metrics: ServerMetrics, logger: Logger, reasons: [String] = ReasonCodes.default
    ) {
        self.cases = cases
        self.reputation = reputation
        self.upstream = upstream
        self.replayWindow = replayWindow
        self.work = work
        self.metrics = metrics
        self.logger = logger
        self.reasons = reasons
    }

    struct Failure: Error {
        enum Code: String {
            case notFound = "not_found"
            case staleVersion = "stale_version"
            case leasedElsewhere = "leased_elsewhere"
            case badTransition = "bad_transition"
            case badReason = "bad_reason"
            case badDecision = "bad_decision"
            case forbidden
            case inProgress = "decision_in_progress"
            case replayExpired = "replay_expired"
            case noUpstream = "no_upstream"
            case upstreamRefused = "upstream_refused"
            case upstreamUnreachable = "upstream_unreachable"
            case storage
        }

        var code: Code
        var message: String
        var currentVersion: Int?

        init(code: Code, message: String, currentVersion: Int? = nil) {
            self.code = code
            self.message = message
            self.currentVersion = currentVersion
        }

        init(_ error: CaseWorkflowError) {
            let code: Code =
                switch error.code {
                case .notFound: .notFound
                case .staleVersion: .staleVersion
                case .leasedElsewhere: .leasedElsewhere
                case .badTransition: .badTransition
                case .badReason: .badReason
                case .badDecision: .badDecision
                case .forbidden: .forbidden
                }
            self.init(code: code, message: error.message, currentVersion: error.currentVersion)
        }
    }

    /// The legacy `approve` route: a decision without a version or reason code of its own.
    func approve(id: Int64, by principal: Principal, now: Date = Date()) async throws(Failure) -> ReviewCase {
        try await decide(
            id: id, Decision(actions: [.approve], reason: "not_a_violation"), by: principal, version: nil, at: now)
    }

    /// The legacy `reject` route.
    func reject(id: Int64, by principal: Principal, now: Date = Date()) async throws(Failure) -> ReviewCase {
        try await decide(id: id, Decision(actions: [.reject], reason: "other"), by: principal, version: nil, at: now)
    }

    /// Decides a case. The decision is checked against the case (version, lease, state, reason, permissions,
    /// queues) before a held delivery is replayed, so a refused decision never reaches the instance.
    func decide(
        id: Int64, _ decision: Decision, by principal: Principal, version: Int?, batchID: String? = nil,
        at now: Date = Date()
    ) async throws(Failure) -> ReviewCase {
        try deciding.claim(id)
        defer { deciding.release(id) }
        let reviewCase = try await load(id)
        let dryRun = CaseCommand(
            .decide(decision, delivery: nil), by: principal, version: version, at: now, batchID: batchID)
        do {
            try reviewCase.checkQueueLimits(try await cases.queueFilters(for: principal), for: principal)
            _ = try reviewCase.applying(dryRun, reasons: reasons)
        } catch let error as CaseWorkflowError {
            throw Failure(error)
        } catch {
            throw Failure(code: .storage, message: "cannot read the queues: \(error)")
        }
        var delivery: ReviewCase.Delivery?
        if decision.outcome == .approve, reviewCase.delivery == nil {
            delivery = try await replay(reviewCase, now: now)
        }
        var command = dryRun
        command.kind = .decide(decision, delivery: delivery)
        let decided: ReviewCase
        do {
            decided = try await cases.apply(command, to: id, reasons: reasons)
        } catch let error as CaseWorkflowError {
            throw Failure(error)
        } catch {
            throw Failure(code: .storage, message: "cannot record the decision: \(error)")
        }
        switch decision.outcome {
        case .approve: await feedBack(decided, spam: false, at: now)
        case .reject: await feedBack(decided, spam: true, at: now)
        default: break
        }
        return decided
    }

    /// Replays a held inbox delivery upstream; nil for cases with nothing to replay (flagged, hook).
    private func replay(_ reviewCase: ReviewCase, now: Date) async throws(Failure) -> ReviewCase.Delivery? {
        guard reviewCase.action == .hold, let request = reviewCase.request else { return nil }
        let deadline = request.replayDeadline(window: replayWindow)
        guard now <= deadline else {
            metrics.replay("refused")
            let late = Int(now.timeIntervalSince(deadline) / 60)
            throw Failure(
                code: .replayExpired,
                message:
                    "the delivery's signature is too old for the instance to accept (window closed \(late) min ago); ask the sender to deliver again or reject the case"
            )
        }
        guard let upstream else {
            throw Failure(
                code: .noUpstream,
                message: "no upstream is configured (proxy.upstream), so the delivery cannot be replayed")
        }
        do {
            let response = try await upstream.send(
                method: request.method, target: request.target, headers: request.headers.map { ($0.name, $0.value) },
                body: request.body)
            _ = try? await response.body.collect(upTo: 1 << 20)
            let status = Int(response.status.code)
            guard (200..<300).contains(status) else {
                metrics.replay("failed")
                throw Failure(
                    code: .upstreamRefused,
                    message: "the instance answered \(status) to the replayed delivery; the case stays open")
            }
            metrics.replay("delivered")
            return ReviewCase.Delivery(at: now, status: status)
        } catch let failure as Failure {
            throw failure
        } catch {
            metrics.replay("failed")
            throw Failure(
                code: .upstreamUnreachable,
                message: "cannot reach the instance to replay the delivery; the case stays open")
        }
    }

    private func load(_ id: Int64) async throws(Failure) -> ReviewCase {
        let found: ReviewCase?
        do {
            found = try await cases.reviewCase(id: id)
        } catch {
            throw Failure(code: .storage, message: "cannot read the case: \(error)")
        }
        guard let reviewCase = found else { throw Failure(code: .notFound, message: "there is no case \(id)") }
        return reviewCase
    }

    private func feedBack(_ reviewCase: ReviewCase, spam: Bool, at date: Date) async {
        // Only the verified signer is known to have sent the delivery; a case nobody verifiably signed teaches
        // reputation nothing, or a forger could get a real user marked as a spammer.
        guard let reputation, let signer = reviewCase.signer, let host = Hostname.host(ofID: signer) else { return }
        do {
            // Reputation may read its store: on the server's thread pool, not the caller's thread.
            try await work.run { try reputation.recordDecision(actorID: signer, host: host, spam: spam, at: date) }
        } catch {
            logger.error(
                "cannot record the decision in reputation",
                metadata: ["case.id": "\(reviewCase.id)", "error": "\(error)"])
        }
    }
}

/// The cases with a decision under way in this process.
private final class DecidingCases: Sendable {
    private let ids = Mutex<Set<Int64>>([])

    func claim(_ id: Int64) throws(CaseDecisions.Failure) {
        guard ids.withLock({ $0.insert(id).inserted }) else {
            throw CaseDecisions.Failure(
                code: .inProgress,
                message: "another decision on case \(id) is under way; reload the case to see how it ended")
        }
    }

    func release(_ id: Int64) {
        _ = ids.withLock { $0.remove(id) }
    }
}
