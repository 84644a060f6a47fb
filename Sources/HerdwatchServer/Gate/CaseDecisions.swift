import ActivityPub
import AsyncHTTPClient
import Foundation
import Intake
import Logging
import Reputation
import NIOHTTP1
import ReviewQueue
import RuleEngine
import Synchronization

/// Approving and rejecting cases: an approved held delivery is replayed to the instance with its original
/// headers while its signature is still inside the instance's date window; decisions feed the reputation of
/// the delivery's verified signer (never the actor it merely claims), and record who made them.
struct CaseDecisions: Sendable {
    let cases: any CaseStore
    let reputation: Reputation?
    let upstream: Upstream?
    let replayWindow: TimeInterval
    let work: any BlockingWork
    let metrics: ServerMetrics
    let logger: Logger
    /// Cases a decision is being made on, so that two moderators approving at once replay a delivery once.
    private let deciding = DecidingCases()

    struct Failure: Error {
        enum Code: String {
            case notFound = "not_found"
            case notOpen = "not_open"
            case inProgress = "decision_in_progress"
            case replayExpired = "replay_expired"
            case noUpstream = "no_upstream"
            case upstreamRefused = "upstream_refused"
            case upstreamUnreachable = "upstream_unreachable"
            case storage
        }

        var code: Code
        var message: String
    }

    func approve(id: Int64, by decider: String?, now: Date = Date()) async throws(Failure) -> ReviewCase {
        try deciding.claim(id)
        defer { deciding.release(id) }
        let reviewCase = try await open(id)
        var delivery: ReviewCase.Delivery?
        if reviewCase.action == .hold, let request = reviewCase.request {
            let deadline = request.replayDeadline(window: replayWindow)
            guard now <= deadline else {
                metrics.replay("refused")
                let late = Int(now.timeIntervalSince(deadline) / 60)
                throw Failure(
                    code: .replayExpired,
                    message: "the delivery's signature is too old for the instance to accept (window closed \(late) min ago); ask the sender to deliver again or reject the case")
            }
            guard let upstream else {
                throw Failure(code: .noUpstream, message: "no upstream is configured (proxy.upstream), so the delivery cannot be replayed")
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
                delivery = ReviewCase.Delivery(at: now, status: status)
                metrics.replay("delivered")
            } catch let failure as Failure {
                throw failure
            } catch {
                metrics.replay("failed")
                throw Failure(code: .upstreamUnreachable, message: "cannot reach the instance to replay the delivery; the case stays open")
            }
        }
        let decided = try await decide(id, .approved, delivery, by: decider)
        await feedBack(decided, spam: false, at: now)
        return decided
    }

    func reject(id: Int64, by decider: String?, now: Date = Date()) async throws(Failure) -> ReviewCase {
        try deciding.claim(id)
        defer { deciding.release(id) }
        _ = try await open(id)
        let decided = try await decide(id, .rejected, nil, by: decider)
        await feedBack(decided, spam: true, at: now)
        return decided
    }

    private func open(_ id: Int64) async throws(Failure) -> ReviewCase {
        let found: ReviewCase?
        do {
            found = try await cases.reviewCase(id: id)
        } catch {
            throw Failure(code: .storage, message: "cannot read the case: \(error)")
        }
        guard let reviewCase = found else { throw Failure(code: .notFound, message: "there is no case \(id)") }
        guard reviewCase.state == .open else {
            throw Failure(code: .notOpen, message: "case \(id) is already \(reviewCase.state.rawValue)")
        }
        return reviewCase
    }

    private func decide(
        _ id: Int64, _ state: ReviewCase.State, _ delivery: ReviewCase.Delivery?, by decider: String?
    ) async throws(Failure) -> ReviewCase {
        do {
            guard let decided = try await cases.decide(id: id, state: state, delivery: delivery, by: decider) else {
                throw Failure(code: .notFound, message: "there is no case \(id)")
            }
            return decided
        } catch let failure as Failure {
            throw failure
        } catch let error as CaseTransitionError {
            throw Failure(code: .notOpen, message: error.description)
        } catch {
            throw Failure(code: .storage, message: "cannot record the decision: \(error)")
        }
    }

    private func feedBack(_ reviewCase: ReviewCase, spam: Bool, at date: Date) async {
        // Only the verified signer is known to have sent the delivery; a case nobody verifiably signed teaches
        // reputation nothing, or a forger could get a real user marked as a spammer.
        guard let reputation, let signer = reviewCase.signer, let host = Hostname.host(ofID: signer) else { return }
        do {
            // Reputation may read its store: on the server's thread pool, not the caller's thread.
            try await work.run { try reputation.recordDecision(actorID: signer, host: host, spam: spam, at: date) }
        } catch {
            logger.error("cannot record the decision in reputation", metadata: ["case.id": "\(reviewCase.id)", "error": "\(error)"])
        }
    }
}

/// The cases with a decision under way in this process.
private final class DecidingCases: Sendable {
    private let ids = Mutex<Set<Int64>>([])

    func claim(_ id: Int64) throws(CaseDecisions.Failure) {
        guard ids.withLock({ $0.insert(id).inserted }) else {
            throw CaseDecisions.Failure(
                code: .inProgress, message: "another decision on case \(id) is under way; reload the case to see how it ended")
        }
    }

    func release(_ id: Int64) {
        _ = ids.withLock { $0.remove(id) }
    }
}
