public import ActivityPub
import Blocklists
public import Foundation
public import Logging
public import Reputation
public import ReviewQueue
public import RuleEngine
import Synchronization

/// What an assessment reports as it goes: the server turns it into metrics.
public protocol AssessmentObserver: Sendable {
    func evaluated(_ verdict: Verdict, duration: Duration)
    func duplicate()
    func caseOpened(_ reviewCase: ReviewCase)
}

/// The one assessment step, shared by the hook, the inbox firewall, `herdwatch check`, `backtest` and the demo
/// replay: reputation signals and the signature's, then the rules, then what reputation records, then a case
/// for held and flagged activities. A backtest therefore replays exactly what the server would have decided.
///
/// Repeated deliveries (same activity id, verified signer and body: senders retry with the same bytes) get the
/// earlier verdict without being counted twice in reputation.
public final class Assessor: Sendable {
    /// An activity to assess, with what is known of where it came from.
    public struct Input: Sendable {
        public var activity: Activity
        /// The sender's actor document, when the caller has it.
        public var actor: Actor?
        /// The bytes the activity came as: evidence when a case is opened, and part of the delivery's identity.
        public var body: [UInt8]
        public var provenance: Provenance
        /// The inbox request, kept with a held case so an approval can replay it.
        public var request: StoredRequest?
        public var source: ReviewCase.Source
        /// When the activity arrived (a replay passes its `published` time): reputation counts it then.
        public var at: Date

        public init(
            activity: Activity, actor: Actor? = nil, body: [UInt8], provenance: Provenance, request: StoredRequest? = nil,
            source: ReviewCase.Source = .hook, at: Date = Date()
        ) {
            self.activity = activity
            self.actor = actor
            self.body = body
            self.provenance = provenance
            self.request = request
            self.source = source
            self.at = at
        }
    }

    /// An input after the work that does not depend on order (normalising, fingerprinting, the prefilter scan),
    /// which a replay does on other cores ahead of the in-order part.
    public struct Prepared: Sendable {
        public let input: Input
        public let subject: Subject
        let reputationSubject: ReputationSubject?
        let engine: RuleEngine
        let engineSubject: PreparedSubject
    }

    public struct Assessment: Sendable {
        public var verdict: Verdict
        public var activityID: String?
        /// The case a held or flagged activity is in.
        public var reviewCase: CaseOpening?
        /// Why a held or flagged activity's case could not be stored: the caller must not acknowledge it (the
        /// server answers 503 so the sender retries).
        public var caseFailure: String?
        /// Why reputation could not be read or written; the verdict was reached without it.
        public var reputationFailure: String?
        /// True when this delivery was assessed before and the earlier verdict was reused.
        public var duplicate: Bool
    }

    public let engines: RuleEngineHolder
    public let reputation: Reputation?
    /// The local follow graph; nil when the instance's domains are not configured (its signals are then 0).
    public let follows: LocalFollows?
    /// Where held and flagged activities become cases; nil for replays that open none.
    public let cases: (any CaseStore)?
    /// The applied domain blocks; nil when none apply (replays without a database).
    public let domainBlocks: (any DomainBlockLookup)?
    private let work: any BlockingWork
    private let observer: (any AssessmentObserver)?
    private let logger: Logger
    private let recent: Mutex<RecentVerdicts>
    /// Verdicts other nodes reached (nodes sharing a database); nil on one node.
    public let ledger: (any DeliveryLedger)?

    /// - Parameters:
    ///   - work: where reputation's reads and writes run (they may wait on the disk).
    ///   - rememberedDeliveries: how many delivery verdicts are kept to recognise repeats.
    ///   - ledger: where nodes sharing a database record their verdicts, so a retry to another node is a repeat too.
    public init(
        engines: RuleEngineHolder, reputation: Reputation?, cases: (any CaseStore)?, work: any BlockingWork = InlineWork(),
        observer: (any AssessmentObserver)? = nil, logger: Logger = Logger(label: "herdwatch.assessment"),
        rememberedDeliveries: Int = 100_000, domainBlocks: (any DomainBlockLookup)? = nil, follows: LocalFollows? = nil,
        ledger: (any DeliveryLedger)? = nil
    ) {
        self.ledger = ledger
        self.follows = follows
        self.domainBlocks = domainBlocks
        self.engines = engines
        self.reputation = reputation
        self.cases = cases
        self.work = work
        self.observer = observer
        self.logger = logger
        self.recent = Mutex(RecentVerdicts(capacity: rememberedDeliveries))
    }

    /// The order-independent work for `input`; pass `subject` when it is already normalised.
    public func prepare(_ input: Input, subject: Subject? = nil) -> Prepared {
        let subject = subject ?? Normalizer.subject(for: input.activity, actor: input.actor, now: input.at)
        let engine = engines.engine
        return Prepared(
            input: input, subject: subject, reputationSubject: reputation.map { _ in ReputationSubject(subject) },
            engine: engine, engineSubject: engine.prepare(subject, scanning: true))
    }

    /// Reads, in one store transaction, what assessing `batch` in order will need from reputation (replays).
    public func prefetch(_ batch: some Collection<Prepared>) throws {
        guard let reputation else { return }
        try reputation.prefetch(batch.compactMap(\.reputationSubject))
    }

    /// Assesses one activity.
    public func assess(_ input: Input) async -> Assessment {
        await assess(input, prepared: nil, prefetched: false)
    }

    /// Assesses a prepared activity; `prefetched` when `prefetch` has read its batch.
    public func assess(_ prepared: Prepared, prefetched: Bool = false) async -> Assessment {
        await assess(prepared.input, prepared: prepared, prefetched: prefetched)
    }

    private func assess(_ input: Input, prepared: Prepared?, prefetched: Bool) async -> Assessment {
        let activityID = input.activity.id
        let deliveryKey = DeliveryKey(id: activityID ?? "", signer: input.provenance.signer ?? "", body: input.body)
        if activityID != nil, let earlier = await earlierVerdict(for: deliveryKey, signed: input.provenance.signer != nil) {
            observer?.duplicate()
            var opening: CaseOpening?
            if let cases {
                opening = try? await Self.file(input, earlier, deliveryKey, in: cases)
            }
            return Assessment(
                verdict: earlier, activityID: activityID, reviewCase: opening, caseFailure: nil, reputationFailure: nil,
                duplicate: true)
        }
        let prepared = prepared ?? prepare(input)
        let decision: Decision
        if let reputation, let subject = prepared.reputationSubject, !prefetched {
            // Reputation may read its store or wait for its writer: that never happens on the caller's thread (an
            // event loop, in the server). What is missing is read on `work` first; an assessment that would still
            // wait (the writer is far behind) runs there whole.
            let work = self.work
            if !reputation.isReady(for: subject) {
                do {
                    try await work.run { try reputation.load(for: subject, at: input.at) }
                } catch {
                    logger.error("reputation read failed", metadata: ["error": "\(error)"])
                }
            }
            if reputation.isReady(for: subject) {
                decision = decide(prepared, prefetched: true)
            } else {
                do {
                    decision = try await work.run { [self] in decide(prepared, prefetched: true) }
                } catch {
                    decision = decide(prepared, prefetched: true)
                }
            }
        } else {
            decision = decide(prepared, prefetched: prefetched)
        }
        let verdict = decision.verdict
        if let follows, follows.needsFlush {
            do {
                try await work.run { try follows.flush() }
            } catch {
                logger.error("cannot write the follow graph", metadata: ["error": "\(error)"])
            }
        }
        var assessment = Assessment(
            verdict: verdict, activityID: activityID, reviewCase: nil, caseFailure: nil,
            reputationFailure: decision.reputationFailure, duplicate: false)
        if let cases {
            do {
                let opening = try await Self.file(input, verdict, deliveryKey, in: cases)
                assessment.reviewCase = opening
                if case .opened(let reviewCase)? = opening {
                    observer?.caseOpened(reviewCase)
                    logger.info(
                        "case opened", metadata: ["case.id": "\(reviewCase.id)", "case.action": "\(verdict.action.rawValue)"])
                }
            } catch {
                logger.error("cannot store the case", metadata: ["error": "\(error)"])
                assessment.caseFailure = "\(error)"
            }
        }
        // Only verdicts that are acted on are remembered: a delivery whose case could not be stored must be
        // assessed again when it comes back.
        if activityID != nil, assessment.caseFailure == nil {
            // The generation a full map drops is released here, after the lock, not while others wait for it.
            let dropped = recent.withLock { $0.insert(verdict, for: deliveryKey) }
            _ = consume dropped
            // Only deliveries with a verified signer reach the shared ledger: an unsigned sender could otherwise
            // make every node store a row per request it sends.
            if let ledger, input.provenance.signer != nil {
                do {
                    try await ledger.remember(verdict, for: deliveryKey, at: input.at)
                } catch {
                    // Only a retry that reaches another node is assessed again: the delivery itself is fine.
                    logger.error("cannot record the verdict for other nodes", metadata: ["error": "\(error)"])
                }
            }
        }
        return assessment
    }

    /// The verdict of an earlier assessment of this delivery: on this node, or, for a `signed` one, on another that
    /// shares the ledger (then remembered here too).
    private func earlierVerdict(for key: DeliveryKey, signed: Bool) async -> Verdict? {
        if let earlier = recent.withLock({ $0[key] }) { return earlier }
        guard let ledger, signed else { return nil }
        let earlier: Verdict?
        do {
            earlier = try await ledger.verdict(for: key)
        } catch {
            logger.error("cannot read the verdicts of other nodes; assessing the delivery", metadata: ["error": "\(error)"])
            return nil
        }
        if let earlier {
            let dropped = recent.withLock { $0.insert(earlier, for: key) }
            _ = consume dropped
        }
        return earlier
    }

    private struct Decision: Sendable {
        var verdict: Verdict
        var reputationFailure: String?
    }

    /// Signals, rules, built-in holds, and what reputation records: the part that must follow arrival order.
    private func decide(_ prepared: Prepared, prefetched: Bool) -> Decision {
        let input = prepared.input
        let started = ContinuousClock.now
        var failure: String?
        var reputationSignals: (any Signals)?
        if let reputation, let subject = prepared.reputationSubject {
            do {
                reputationSignals = try reputation.signals(for: subject, at: input.at, prefetched: prefetched)
            } catch {
                logger.error("reputation read failed; evaluating without reputation", metadata: ["error": "\(error)"])
                failure = "\(error)"
            }
        }
        let blockStatus = domainBlockStatus(prepared)
        let signals = AssessmentSignals(
            reputation: reputationSignals, signature: input.provenance.signature, actorMismatch: input.provenance.actorMismatch,
            domainBlock: blockStatus, follows: follows?.signals(for: prepared.subject) ?? .zero)
        // A rule set swapped in since `prepare` gets the subject prepared again for it.
        let engine = engines.engine
        var verdict: Verdict
        if let block = blockStatus.block, block.severity == .suspend {
            // Applied blocks act before any rule runs: a suspended domain's deliveries are rejected unread.
            verdict = Verdict(
                action: .reject, score: 0, hits: [Self.suspendedHit(block)], shadowHits: [], errors: [],
                rulesetVersion: engine.ruleSet.version)
        } else {
            verdict =
                engine === prepared.engine
                ? engine.evaluate(prepared.engineSubject, signals: signals)
                : engine.evaluate(prepared.subject, signals: signals)
            if let block = blockStatus.block, block.rejectMedia, prepared.subject.attachmentCount > 0,
                verdict.action == .accept || verdict.action == .flag
            {
                // The forwarded copy cannot be stripped of its attachments here: hold it for a person instead.
                verdict.action = .hold
                verdict.hits.append(Self.rejectMediaHit(block))
            }
        }
        if verdict.action == .accept || verdict.action == .flag, Self.objectIsOnlyAURL(input.activity) {
            verdict.action = .hold
            verdict.hits.append(Self.unseenObjectHit)
        }
        observer?.evaluated(verdict, duration: ContinuousClock.now - started)
        if let follows, verdict.action == .accept || verdict.action == .flag {
            // Only what reaches the instance makes a follow; `learn` takes only verified deliveries from the actor.
            follows.learn(
                from: input.activity, signature: input.provenance.signature.status, signer: input.provenance.signer,
                at: input.at)
        }
        if let reputation, let subject = prepared.reputationSubject {
            do {
                let keepBody = verdict.action == .hold || verdict.action == .flag
                try reputation.observe(
                    subject, verdict: verdict, signature: input.provenance.signature.status, body: keepBody ? input.body : nil,
                    at: input.at)
            } catch {
                logger.error("reputation write failed", metadata: ["error": "\(error)"])
                failure = failure ?? "\(error)"
            }
        }
        return Decision(verdict: verdict, reputationFailure: failure)
    }

    /// A `Create` or `Update` whose object is only a URL: the instance would fetch that URL and publish what it
    /// finds, so the post itself would never be looked at. Such a delivery is never accepted unseen.
    public static func objectIsOnlyAURL(_ activity: Activity) -> Bool {
        guard activity.type == "Create" || activity.type == "Update", let object = activity.object else { return false }
        func isURL(_ reference: ObjectReference) -> Bool {
            switch reference {
            case .uri: true
            case .multiple(let references): references.contains(where: isURL)
            case .object, .actor, .activity: false
            }
        }
        return isURL(object)
    }

    /// What the applied blocks say about the sender: the strictest block covering the actor's host or, when a
    /// verified signer is someone else, the signer's host.
    private func domainBlockStatus(_ prepared: Prepared) -> DomainBlockStatus {
        guard let domainBlocks else { return .clear }
        var status = prepared.subject.actorHost.map { domainBlocks.status(of: $0) } ?? .clear
        if prepared.input.provenance.actorMismatch, let signer = prepared.input.provenance.signer,
            let host = Hostname.host(ofID: signer)
        {
            let signerStatus = domainBlocks.status(of: host)
            if let block = signerStatus.block, status.block.map({ block.severity > $0.severity }) ?? true {
                status.block = block
            }
            status.peerListed = status.peerListed || signerStatus.peerListed
        }
        return status
    }

    static func suspendedHit(_ block: DomainBlock) -> RuleHit {
        RuleHit(
            rule: "herdwatch.domain-suspended",
            description: "The sender's domain is suspended by the applied blocklist (the block on `\(block.domain)`)",
            score: 0, action: .reject, tags: ["builtin", "blocklist"],
            evidence: [Evidence(kind: .field, field: "actor", detail: "covered by the block on \(block.domain)")])
    }

    static func rejectMediaHit(_ block: DomainBlock) -> RuleHit {
        RuleHit(
            rule: "herdwatch.domain-reject-media",
            description:
                "The applied block on `\(block.domain)` rejects its media; the delivery carries attachments, "
                + "so it is held",
            score: 0, action: .hold, tags: ["builtin", "blocklist"],
            evidence: [
                Evidence(kind: .field, field: "attachment", detail: "attachments from a domain whose media is rejected")
            ])
    }

    public static let unseenObjectHit = RuleHit(
        rule: "herdwatch.unseen-object",
        description: "A Create or Update whose object is only a URL: the instance would fetch and publish it unseen, so it is held for a person to look at",
        score: 0, action: .hold, tags: ["builtin"],
        evidence: [Evidence(kind: .field, field: "object", detail: "object is a URL, not the object itself")])

    /// Opens or joins the case a verdict calls for: a held or flagged delivery opens its own; a remote report (a
    /// `Flag` not rejected) is filed on the case about the actor it flags.
    private static func file(
        _ input: Input, _ verdict: Verdict, _ deliveryKey: DeliveryKey, in cases: any CaseStore
    ) async throws -> CaseOpening? {
        if input.activity.type == "Flag", let flagged = input.activity.object?.ids.first {
            guard verdict.action != .reject else { return nil }
            return try await cases.report(
                NewReport(
                    activityID: input.activity.id ?? "urn:herdwatch:unidentified:\(TokenlessID.make(input.body))",
                    reporter: input.provenance.signer, flaggedActor: flagged, objects: input.activity.object?.ids ?? [],
                    comment: input.activity.content.map { HTMLText(html: $0).text }, deliveryKey: deliveryKey.hex,
                    source: input.source, verdict: verdict, body: input.body, request: input.request, receivedAt: input.at))
        }
        guard verdict.action == .hold || verdict.action == .flag else { return nil }
        return try await cases.open(newCase(input, verdict, deliveryKey))
    }

    private static func newCase(_ input: Input, _ verdict: Verdict, _ deliveryKey: DeliveryKey) -> NewCase {
        NewCase(
            activityID: input.activity.id ?? "urn:herdwatch:unidentified:\(TokenlessID.make(input.body))",
            actorID: input.activity.actorID, signer: input.provenance.signer, deliveryKey: deliveryKey.hex,
            source: input.source, verdict: verdict, body: input.body, request: input.request, openedAt: input.at,
            actorDocument: input.actor.map { actor in
                var writer = JSONWriter()
                writer.value(actor.json)
                return writer.bytes
            })
    }
}
