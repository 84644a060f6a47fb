public import ActivityPub
public import Foundation
public import RuleEngine
import Synchronization


/// The engine's memory: records what each evaluated activity says about its actor, domain, links and text,
/// and answers the reputation signals rules read.
///
/// Hot state is cached in memory and written to the store in batches (`flush()`, also every
/// `Configuration.flushInterval` observations), so evaluation does not wait on a disk write per activity.
/// The automatic batches are written by the writer (`runWriter`, which the server runs as a service) while
/// evaluation goes on (one batch in flight at most; a failed write is kept and retried, and its error thrown by
/// the next flush). The cache is bounded by `cacheBytes` (and `cacheCapacity` entries per kind): past either, the
/// next batch is written before the flush returns and the largest kinds are cleared; dropped entries are reloaded
/// on demand. Each batch also prunes the store (`ReputationPruning`), so that it keeps what the signals read.
public final class Reputation: Sendable {
    public struct Configuration: Sendable {
        /// Half-life of moderator decisions (confirmed spam/ham): recent ones count more.
        public var decisionHalfLife: TimeInterval
        /// How long a near-duplicate campaign stays open after its last post.
        public var campaignWindow: TimeInterval
        /// Entries kept in memory per kind (actors, domains, counters, campaigns) after a flush: a backstop (and a
        /// knob for tests); `cacheBytes` is what bounds memory.
        public var cacheCapacity: Int
        /// The memory budget of the cache, in bytes, as estimated from what it holds (`Reputation.cacheBytes`).
        public var cacheBytes: Int
        /// Actors with no moderator decision that were not seen for this long are deleted from the store (they
        /// then count as never seen); nil keeps every actor. Counters with nothing left in their windows and expired
        /// labels are always deleted: they read as absent anyway.
        public var actorRetention: TimeInterval?
        /// Observations between automatic flushes.
        public var flushInterval: Int
        /// How long the store keeps each observation (the per-activity record of verdicts), counted back from the
        /// newest one written; older ones are deleted as batches are written. Nil keeps them all.
        public var observationRetention: TimeInterval?
        /// Which evaluated activities get a per-activity record (an observation): nothing reads it but backtests
        /// and inspection, so a server records it only when the operator asks (`reputation.record`).
        public var recording: Recording
        /// The most observations the store keeps (the record's size budget); nil sets no budget.
        public var recordLimit: Int?

        /// Which activities are recorded.
        public enum Recording: Sendable, Equatable {
            case off
            /// About this fraction of activities, chosen by their id, so every node picks the same ones.
            case sample(Double)
            case all

            /// Whether the activity with `id` is recorded.
            public func records(_ id: String?) -> Bool {
                switch self {
                case .off: return false
                case .all: return true
                case .sample(let fraction):
                    guard let id else { return false }
                    // FNV-1a over the id: cheap, and stable across processes (unlike `hashValue`).
                    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
                    for byte in id.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
                    return Double(hash % 1_000_000) < fraction * 1_000_000
                }
            }
        }

        /// 64 MiB (`reputation.cacheMiB`).
        public static let defaultCacheBytes = 64 << 20
        /// 30 days (`reputation.actorRetentionDays`).
        public static let defaultActorRetention: TimeInterval = 30 * 86_400

        public init(
            decisionHalfLife: TimeInterval = 30 * 86_400, campaignWindow: TimeInterval = 86_400,
            cacheCapacity: Int = 1_000_000, flushInterval: Int = 2_000, observationRetention: TimeInterval? = nil,
            recording: Recording = .all, recordLimit: Int? = nil, cacheBytes: Int = Configuration.defaultCacheBytes,
            actorRetention: TimeInterval? = Configuration.defaultActorRetention
        ) {
            self.cacheBytes = cacheBytes
            self.actorRetention = actorRetention
            self.recording = recording
            self.recordLimit = recordLimit
            self.decisionHalfLife = decisionHalfLife
            self.campaignWindow = campaignWindow
            self.cacheCapacity = cacheCapacity
            self.flushInterval = flushInterval
            self.observationRetention = observationRetention
        }
    }

    public let configuration: Configuration
    /// What the cache holds, in bytes, as estimated per entry (keys, records, table slots); at most about
    /// `Configuration.cacheBytes` after each flush.
    public var cacheBytes: Int { state.withLock { $0.estimatedBytes } }
    private let store: any ReputationStore
    private let state: Mutex<ReputationState>
    private let writer = BackgroundWriter()
    /// Whether the store is shared (`ReputationStore.isShared`), read once.
    private let storeIsShared: Bool

    public init(store: any ReputationStore, configuration: Configuration = Configuration()) {
        self.store = store
        self.configuration = configuration
        self.storeIsShared = store.isShared
        self.state = Mutex(
            ReputationState(tracksAdditions: store.isShared, decisionHalfLife: configuration.decisionHalfLife))
    }

    deinit {
        writer.stop()
    }

    /// The signals for `subject` as of `date`. Counts include the activity being evaluated.
    public func signals(for subject: Subject, at date: Date = Date()) throws -> ReputationSignals {
        try state.withLock { state in
            try state.signals(
                for: state.reputationSubject(for: subject), at: date, store: store, configuration: configuration)
        }
    }

    /// The signals for `subject` as of `date`. Counts include the activity being evaluated. Pass `prefetched`
    /// when `prefetch` has read the batch this subject is in: its store reads are not looked for again.
    public func signals(
        for subject: ReputationSubject, at date: Date = Date(), prefetched: Bool = false
    ) throws -> ReputationSignals {
        try state.withLock { state in
            try state.signals(for: subject, at: date, store: store, configuration: configuration, prefetched: prefetched)
        }
    }

    /// Reads, in one store transaction, what evaluating `subjects` will need that is not in memory. Replaying
    /// a stream in batches this way is much faster than reading per activity; results are the same.
    public func prefetch(_ subjects: [Subject]) throws {
        try prefetch(subjects.map { ReputationSubject($0) })
    }

    /// Reads, in one store transaction, what evaluating `subjects` will need that is not in memory.
    public func prefetch(_ subjects: some Collection<ReputationSubject>) throws {
        try state.withLock { state in try state.prefetch(subjects, store: store) }
    }

    /// Whether assessing `subject` now needs neither the store nor a wait for the writer: everything its signals
    /// read is in memory, and recording it will not write or wait for a write. The server then assesses on the
    /// thread the request is on; otherwise it calls `load` on a thread that may block first.
    public func isReady(for subject: ReputationSubject) -> Bool {
        state.withLock { state in
            state.campaignsLoaded && state.missing(for: CollectionOfOne(subject)).isEmpty && !observeMayWait(state)
        }
    }

    /// Whether the next `observe` may write to the store or wait for the writer (see `observe`).
    private func observeMayWait(_ state: ReputationState) -> Bool {
        let pending = state.pendingObservations + 1
        guard pending >= configuration.flushInterval else { return false }
        if state.needsEviction(capacity: configuration.cacheCapacity, bytes: configuration.cacheBytes) || !writer.hasRunner {
            return true
        }
        return writer.isWriting && pending >= configuration.flushInterval * Self.pendingIntervalsWhileWriting
    }

    /// Reads from the store what assessing `subject` at `date` needs and memory lacks, without holding the lock
    /// while the store answers: other assessments go on meanwhile. Blocks on the store: call it where blocking is
    /// allowed.
    public func load(for subject: ReputationSubject, at date: Date) throws {
        let (request, loadCampaigns, evictions) = state.withLock { state in
            (state.missing(for: CollectionOfOne(subject)), !state.campaignsLoaded, state.evictions)
        }
        if !request.isEmpty {
            let snapshot = try store.lookup(request)
            state.withLock { $0.merge(snapshot, for: request, evictions: evictions) }
        }
        if loadCampaigns {
            let open = try store.openCampaigns(seenSince: date.addingTimeInterval(-configuration.campaignWindow))
            state.withLock { $0.mergeOpenCampaigns(open) }
        }
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
        // What a shared store held after the last background write, as soon as it is there.
        if storeIsShared, let stored = writer.takeReread() { state.refresh(stored) }
        state.observe(subject, verdict: verdict, signature: signature, body: body, at: date, store: store,
            configuration: configuration)
        guard state.pendingObservations >= configuration.flushInterval else { return }
        // While a background write is still going, let a few more intervals pile up rather than wait for it
        // with the lock held; past that, wait, so that memory stays bounded when the disk is slower than intake.
        if writer.isWriting, state.pendingObservations < configuration.flushInterval * Self.pendingIntervalsWhileWriting {
            return
        }
        try flush(&state, waiting: false)
    }

    /// Flush intervals that may pile up while a background write is in flight.
    static let pendingIntervalsWhileWriting = 4

    /// Writes what is pending: in the background unless `waiting` or the cache must be cleared, in which case
    /// the write is done when this returns. Always waits for the write in flight first, so batches land in
    /// order and at most one is in memory twice.
    private func flush(_ state: inout ReputationState, waiting: Bool) throws {
        if let failed = writer.waitForWrite() {
            state.restore(failed.changes)
            throw failed.error
        }
        if let stored = writer.takeReread() { state.refresh(stored) }
        let evicting = state.needsEviction(capacity: configuration.cacheCapacity, bytes: configuration.cacheBytes)
        let newest = state.newestObservation
        guard var changes = state.takeChanges(campaignWindow: configuration.campaignWindow) else {
            if evicting { state.evict(capacity: configuration.cacheCapacity, bytes: configuration.cacheBytes) }
            return
        }
        if changes.evaluated.values.contains(where: { $0 > 0 }) {
            changes.pruning = ReputationPruning(
                now: newest, actorsSeenBefore: configuration.actorRetention.map { newest.addingTimeInterval(-$0) })
        }
        if let retention = configuration.observationRetention, let newest = changes.observations.lazy.map(\.at).max() {
            changes.keepObservationsSince = newest.addingTimeInterval(-retention)
        }
        if !changes.observations.isEmpty { changes.keepObservationsAtMost = configuration.recordLimit }
        if waiting || evicting {
            // No read-back here: `flush()` reads back every key written, and an eviction drops them anyway.
            do {
                try store.apply(changes)
            } catch {
                state.restore(changes)
                throw error
            }
            state.evict(capacity: configuration.cacheCapacity, bytes: configuration.cacheBytes)
        } else {
            writer.write(changes, to: store)
            // Written already when no runner is attached: take in what the store holds now.
            if storeIsShared, let stored = writer.takeReread() { state.refresh(stored) }
            state.forgetMisses(capacity: configuration.cacheCapacity)
        }
    }

    /// Applies `changes` (a batch handed to the writer); on a shared store, then reads back the keys they added
    /// to, which hold the other nodes' counts too, for the next flush to take in. That read failing is not the
    /// write failing (the batch must not be written twice): the cache then keeps this node's view until the keys
    /// are read again.
    static func write(_ changes: ReputationChanges, to store: any ReputationStore) throws -> ReputationSnapshot? {
        try store.apply(changes)
        guard store.isShared else { return nil }
        let keys = changes.additionKeys
        return keys.isEmpty ? nil : try? store.lookup(keys)
    }

    /// A moderator's decision on an actor's activity: spam lowers, fine raises the actor's and its domain's
    /// reputation, with decay.
    public func recordDecision(actorID: String, host: String, spam: Bool, at date: Date = Date()) throws {
        try preload(actorID: actorID, host: host)
        try state.withLock { state in
            try state.recordDecision(actorID: actorID, host: host, spam: spam, at: date, store: store,
                halfLife: configuration.decisionHalfLife)
        }
    }

    /// Reads the actor's and domain's records, when memory lacks them, without holding the lock while the store
    /// answers (as `load` does), so that assessments on other threads do not wait for the disk meanwhile.
    private func preload(actorID: String?, host: String) throws {
        let (request, evictions) = state.withLock { ($0.missing(actorID: actorID, host: host), $0.evictions) }
        guard !request.isEmpty else { return }
        let snapshot = try store.lookup(request)
        state.withLock { $0.merge(snapshot, for: request, evictions: evictions) }
    }

    /// Sets a label on an actor or domain (readable as `actor.label.NAME` / `domain.label.NAME`).
    public func setLabel(_ label: LabelRecord) throws {
        try state.withLock { state in
            state.setLabel(label)
            try flush(&state, waiting: true)
        }
    }

    /// Marks whether a peer blocklist lists `host`.
    public func setPeerListed(_ host: String, listed: Bool, at date: Date = Date()) throws {
        try preload(actorID: nil, host: host)
        try state.withLock { state in
            try state.setPeerListed(host, listed: listed, at: date, store: store)
        }
    }

    /// Writes everything pending to the store in one transaction, after any write in flight; when this returns,
    /// the store holds every observation so far. On a shared store (`ReputationStore.isShared`), then reads back
    /// every cached key this node has written, so that memory holds the other nodes' counts as of now.
    public func flush() throws {
        try state.withLock { state in
            try flush(&state, waiting: true)
            guard storeIsShared else { return }
            let written = state.writtenKeys
            if !written.isEmpty { state.refresh(try store.lookup(written)) }
        }
    }

    /// Writes the batches that evaluation hands over (every `Configuration.flushInterval` observations) through
    /// `perform`, which runs blocking work where it may block (the server: a thread pool of its own), until the
    /// task is cancelled. Without a runner, those batches are written by the thread that observes.
    public func runWriter(perform: @escaping @Sendable (@escaping @Sendable () throws -> Void) async throws -> Void) async {
        await writer.run(perform: perform)
    }

    /// Whether a writer (`runWriter`) is attached.
    public var hasWriter: Bool { writer.hasRunner }

    /// Starts writing what is pending in the background and returns at once; does nothing while a write is
    /// still in flight. For periodic flushes of a server, which should not hold evaluation up. Throws the error
    /// of a background write that failed (its batch is kept for the next flush).
    ///
    /// Never waits for the writer: writes start only under the state lock, so a write found idle under it
    /// cannot start meanwhile. (The server calls this on the writer's own thread, where waiting for the write in
    /// flight would wait for itself.)
    public func flushInBackground() throws {
        try state.withLock { state in
            guard !writer.isWriting else { return }
            try flush(&state, waiting: false)
        }
    }
}

/// Hands batches of changes to whoever runs `Reputation.runWriter` (the server runs it as a service, on a
/// thread of its own at a lower priority than evaluation: on a busy machine, answering comes first and writes
/// lag, see `pendingIntervalsWhileWriting`). A domain library starts no thread: with no runner attached, a batch
/// is written on the caller's thread when it is handed over.
final class BackgroundWriter: @unchecked Sendable {
    // Safe: every stored property below is read and written only with `condition` locked.
    private let condition = NSCondition()
    private var job: (changes: ReputationChanges, store: any ReputationStore)?
    private var busy = false
    private var failure: (error: any Error, changes: ReputationChanges)?
    /// What a shared store held after the last write, for the next flush to take in.
    private var reread: ReputationSnapshot?
    private var stopping = false
    private var runners = 0
    /// The runner waiting for a job, if any.
    private var waitingRunner: CheckedContinuation<Void, Never>?

    /// Whether a write is in flight.
    var isWriting: Bool {
        condition.lock()
        defer { condition.unlock() }
        return busy
    }

    /// Whether a runner is attached, so `write` returns before the batch is written.
    var hasRunner: Bool {
        condition.lock()
        defer { condition.unlock() }
        return runners > 0
    }

    /// Hands `changes` to the runner, or writes them now when none is attached. Call `waitForWrite` first: one
    /// write at a time.
    func write(_ changes: ReputationChanges, to store: any ReputationStore) {
        condition.lock()
        guard runners > 0, !stopping else {
            condition.unlock()
            do {
                let stored = try Reputation.write(changes, to: store)
                locked { reread = stored }
            } catch {
                locked { failure = (error, changes) }
            }
            return
        }
        job = (changes, store)
        busy = true
        let runner = waitingRunner
        waitingRunner = nil
        condition.unlock()
        runner?.resume()
    }

    /// Waits for the write in flight, if any; returns the batch and error of a write that failed since the last
    /// call.
    func waitForWrite() -> (error: any Error, changes: ReputationChanges)? {
        condition.lock()
        defer { condition.unlock() }
        while busy { condition.wait() }
        defer { failure = nil }
        return failure
    }

    /// What a shared store held for the keys of the last write, once; nil when there is nothing new.
    func takeReread() -> ReputationSnapshot? {
        locked {
            defer { reread = nil }
            return reread
        }
    }

    /// Detaches the runners once the write in flight, if any, is done; later batches are written by their caller.
    func stop() {
        condition.lock()
        stopping = true
        let runner = waitingRunner
        waitingRunner = nil
        condition.unlock()
        runner?.resume()
    }

    /// Writes the batches handed over, each through `perform`, until `stop` or cancellation. A batch handed over
    /// before it returns is written before it returns.
    func run(perform: @escaping @Sendable (@escaping @Sendable () throws -> Void) async throws -> Void) async {
        locked { runners += 1 }
        while let current = await nextJob() {
            // The write is finished where it ran, not after this task resumes: whoever waits for it
            // (`waitForWrite`, with the reputation lock held) may be keeping the threads this task would resume on
            // busy, waiting for that lock.
            let finished = Mutex(false)
            do {
                try await perform {
                    var failed: (any Error)?
                    var stored: ReputationSnapshot?
                    do { stored = try Reputation.write(current.changes, to: current.store) } catch { failed = error }
                    finished.withLock { $0 = true }
                    self.finish(failed.map { ($0, current.changes) }, reread: stored)
                    if let failed { throw failed }
                }
            } catch {
                // `perform` failed without running the write (its thread pool stopped, say): keep the batch.
                if !finished.withLock({ $0 }) { finish((error, current.changes)) }
            }
        }
    }

    private func locked<Result>(_ body: () -> Result) -> Result {
        condition.lock()
        defer { condition.unlock() }
        return body()
    }

    private func finish(
        _ failed: (error: any Error, changes: ReputationChanges)?, reread stored: ReputationSnapshot? = nil
    ) {
        locked {
            if let failed { failure = failed }
            if let stored { reread = stored }
            job = nil
            busy = false
            condition.broadcast()
        }
    }

    private enum Next {
        case job((changes: ReputationChanges, store: any ReputationStore))
        case done
        case wait
    }

    /// The job to run, `done` (and the runner detached) once stopping or cancelled with none pending.
    private func next() -> Next {
        locked {
            if let job { return .job(job) }
            if stopping || Task.isCancelled {
                runners -= 1
                return .done
            }
            return .wait
        }
    }

    /// Parks the runner until a job comes, unless one came meanwhile.
    private func park(_ continuation: CheckedContinuation<Void, Never>) {
        let resumeNow = locked {
            if job != nil || stopping || Task.isCancelled { return true }
            waitingRunner = continuation
            return false
        }
        if resumeNow { continuation.resume() }
    }

    private func wakeRunner() {
        let runner = locked {
            defer { waitingRunner = nil }
            return waitingRunner
        }
        runner?.resume()
    }

    /// The next job; nil once stopping or cancelled with none pending (the runner is then detached).
    private func nextJob() async -> (changes: ReputationChanges, store: any ReputationStore)? {
        while true {
            switch next() {
            case .job(let job): return job
            case .done: return nil
            case .wait:
                await withTaskCancellationHandler {
                    await withCheckedContinuation { park($0) }
                } onCancel: {
                    wakeRunner()
                }
            }
        }
    }
}
