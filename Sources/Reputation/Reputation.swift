public import ActivityPub
public import Foundation
public import RuleEngine
import Synchronization

/// The engine's memory: records what each evaluated activity says about its actor, domain, links and text,
/// and answers the reputation signals rules read.
///
/// Hot state is cached in memory and written to the store in batches (`flush()`, also every
/// `Configuration.flushInterval` observations), so evaluation does not wait on a disk write per activity.
/// The cache is bounded: after a flush, entries beyond `cacheCapacity` are dropped and reloaded on demand.
public final class Reputation: Sendable {
    public struct Configuration: Sendable {
        /// Half-life of moderator decisions (confirmed spam/ham): recent ones count more.
        public var decisionHalfLife: TimeInterval
        /// How long a near-duplicate campaign stays open after its last post.
        public var campaignWindow: TimeInterval
        /// Entries kept in memory per kind (actors, domains, counters, campaigns) after a flush.
        public var cacheCapacity: Int
        /// Observations between automatic flushes.
        public var flushInterval: Int

        public init(
            decisionHalfLife: TimeInterval = 30 * 86_400, campaignWindow: TimeInterval = 86_400,
            cacheCapacity: Int = 50_000, flushInterval: Int = 2_000
        ) {
            self.decisionHalfLife = decisionHalfLife
            self.campaignWindow = campaignWindow
            self.cacheCapacity = cacheCapacity
            self.flushInterval = flushInterval
        }
    }

    public let configuration: Configuration
    private let store: any ReputationStore
    private let state: Mutex<ReputationState>

    public init(store: any ReputationStore, configuration: Configuration = Configuration()) {
        self.store = store
        self.configuration = configuration
        self.state = Mutex(ReputationState())
    }

    /// The signals for `subject` as of `date`. Counts include the activity being evaluated.
    public func signals(for subject: Subject, at date: Date = Date()) throws -> ReputationSignals {
        try state.withLock { state in
            try state.signals(
                for: state.reputationSubject(for: subject), at: date, store: store, configuration: configuration)
        }
    }

    /// The signals for `subject` as of `date`. Counts include the activity being evaluated.
    public func signals(for subject: ReputationSubject, at date: Date = Date()) throws -> ReputationSignals {
        try state.withLock { state in
            try state.signals(for: subject, at: date, store: store, configuration: configuration)
        }
    }

    /// Reads, in one store transaction, what evaluating `subjects` will need that is not in memory. Replaying
    /// a stream in batches this way is much faster than reading per activity; results are the same.
    public func prefetch(_ subjects: [Subject]) throws {
        try prefetch(subjects.map { ReputationSubject($0) })
    }

    /// Reads, in one store transaction, what evaluating `subjects` will need that is not in memory.
    public func prefetch(_ subjects: [ReputationSubject]) throws {
        try state.withLock { state in try state.prefetch(subjects, store: store) }
    }

    /// Records an evaluated activity. With a signature that is not `.verified`, the observation can only
    /// lower trust: it counts towards held/rejected totals and rates, never towards first-seen, accepted
    /// activity or account age.
    public func observe(
        _ subject: Subject, verdict: Verdict, signature: SignatureStatus, body: [UInt8]? = nil, at date: Date = Date()
    ) throws {
        try state.withLock { state in
            try observe(state.reputationSubject(for: subject), verdict: verdict, signature: signature, body: body,
                at: date, state: &state)
        }
    }

    /// Records an evaluated activity whose pure work is done; see the `Subject` overload.
    public func observe(
        _ subject: ReputationSubject, verdict: Verdict, signature: SignatureStatus, body: [UInt8]? = nil,
        at date: Date = Date()
    ) throws {
        try state.withLock { state in
            try observe(subject, verdict: verdict, signature: signature, body: body, at: date, state: &state)
        }
    }

    private func observe(
        _ subject: ReputationSubject, verdict: Verdict, signature: SignatureStatus, body: [UInt8]?, at date: Date,
        state: inout ReputationState
    ) throws {
        state.observe(subject, verdict: verdict, signature: signature, body: body, at: date, store: store,
            configuration: configuration)
        if state.pendingObservations >= configuration.flushInterval {
            try state.flush(to: store, capacity: configuration.cacheCapacity, campaignWindow: configuration.campaignWindow)
        }
    }

    /// A moderator's decision on an actor's activity: spam lowers, fine raises the actor's and its domain's
    /// reputation, with decay.
    public func recordDecision(actorID: String, host: String, spam: Bool, at date: Date = Date()) throws {
        try state.withLock { state in
            try state.recordDecision(actorID: actorID, host: host, spam: spam, at: date, store: store,
                halfLife: configuration.decisionHalfLife)
        }
    }

    /// Sets a label on an actor or domain (readable as `actor.label.NAME` / `domain.label.NAME`).
    public func setLabel(_ label: LabelRecord) throws {
        try state.withLock { state in
            state.setLabel(label)
            try state.flush(to: store, capacity: configuration.cacheCapacity, campaignWindow: configuration.campaignWindow)
        }
    }

    /// Marks whether a peer blocklist lists `host`.
    public func setPeerListed(_ host: String, listed: Bool, at date: Date = Date()) throws {
        try state.withLock { state in
            try state.setPeerListed(host, listed: listed, at: date, store: store)
        }
    }

    /// Writes everything pending to the store in one transaction.
    public func flush() throws {
        try state.withLock { state in try state.flush(to: store, capacity: configuration.cacheCapacity, campaignWindow: configuration.campaignWindow) }
    }
}

extension Reputation {
    /// The whole path with memory: read the signals, evaluate, and record the outcome.
    public func evaluate(
        _ subject: Subject, with engine: RuleEngine, signature: SignatureStatus, body: [UInt8]? = nil,
        at date: Date = Date()
    ) throws -> Verdict {
        let signals = try signals(for: subject, at: date)
        let verdict = engine.evaluate(subject, signals: signals)
        try observe(subject, verdict: verdict, signature: signature, body: body, at: date)
        return verdict
    }

    /// The whole path with memory for a subject whose pure work (folding, fingerprint, keys) is done.
    public func evaluate(
        _ subject: ReputationSubject, prepared: PreparedSubject, with engine: RuleEngine, signature: SignatureStatus,
        body: [UInt8]? = nil, at date: Date = Date()
    ) throws -> Verdict {
        let verdict = engine.evaluate(prepared, signals: try signals(for: subject, at: date))
        try observe(subject, verdict: verdict, signature: signature, body: body, at: date)
        return verdict
    }
}
