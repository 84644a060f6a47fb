public import ActivityPub
import Crypto
public import Foundation
public import Logging
public import Reputation
public import ReviewQueue
public import RuleEngine
import Synchronization

/// The decision path shared by the inbox firewall and the check hook: verify the signature, evaluate with
/// reputation, record, and open a case for held and flagged activities before anyone is answered.
public final class Gate: Sendable {
    public let engines: RuleEngineHolder
    public let reputation: Reputation?
    public let cases: any CaseStore
    public let keys: (any ActorKeyResolver)?
    public let signatureMode: ServerConfiguration.SignatureMode
    public let foreignSigner: ServerConfiguration.ForeignSignerPolicy
    let metrics: ServerMetrics
    let logger: Logger
    /// Verdicts of recently evaluated deliveries, by activity id, verified signer and body digest: a repeated
    /// delivery (senders retry with the same bytes) gets the same verdict without being counted twice in
    /// reputation. Another body, or the same bytes signed by someone else, is evaluated afresh, so neither an id
    /// nor a re-signed copy of someone's delivery can plant a verdict for the real one.
    private let recent = Mutex(RecentVerdicts(capacity: 100_000))

    public init(
        engines: RuleEngineHolder, reputation: Reputation?, cases: any CaseStore, keys: (any ActorKeyResolver)?,
        signatureMode: ServerConfiguration.SignatureMode, foreignSigner: ServerConfiguration.ForeignSignerPolicy = .refuse,
        metrics: ServerMetrics, logger: Logger
    ) {
        self.engines = engines
        self.reputation = reputation
        self.cases = cases
        self.keys = keys
        self.signatureMode = signatureMode
        self.foreignSigner = foreignSigner
        self.metrics = metrics
        self.logger = logger
    }

    /// What to do with a request after the gate.
    public enum Disposition: Sendable, Equatable {
        /// Accepted or flagged: deliver to the instance.
        case forward
        /// Held for review (the request is stored) or rejected: answer without delivering.
        case withhold
        /// Not evaluated: answer with this status and error.
        case refuse(status: Int, error: GateError)
    }

    public struct Outcome: Sendable {
        public var disposition: Disposition
        public var verdict: Verdict?
        /// What the signature established (a foreign signer shows here as verified, though the rules saw the
        /// delivery as unsigned).
        public var signature: SignatureCheck
        public var activityID: String?
        public var reviewCase: CaseOpening?
        /// True when this activity id was evaluated before and the earlier verdict was reused.
        public var duplicate: Bool
    }

    /// An inbox delivery: method, request target (path and query), headers in order, and the raw body.
    public struct Delivery: Sendable {
        public var method: String
        public var target: String
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]
        public var receivedAt: Date

        public init(method: String, target: String, headers: [(name: String, value: String)], body: [UInt8], receivedAt: Date = Date()) {
            self.method = method
            self.target = target
            self.headers = headers
            self.body = body
            self.receivedAt = receivedAt
        }

        var signedRequest: SignedRequest {
            var fields = SignedRequest.Headers()
            for (name, value) in headers { fields.add(name, value) }
            // RFC 9421 signs the full URI; behind a TLS-terminating proxy the public scheme comes in
            // X-Forwarded-Proto, and fediverse servers deliver over https otherwise.
            let scheme = fields.combined("X-Forwarded-Proto")?.split(separator: ",").first
                .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            return SignedRequest(
                method: method, path: target, headers: fields, body: body, scheme: scheme == "http" ? "http" : "https")
        }

        var storedRequest: StoredRequest {
            StoredRequest(
                method: method, target: target, headers: headers.map { StoredRequest.Header(name: $0.name, value: $0.value) },
                body: body, receivedAt: receivedAt, signedAt: nil)
        }
    }

    // MARK: - Inbox

    /// Gates one inbox delivery. The signature is verified from the headers and the raw bytes before the body
    /// is parsed, so an unauthenticated sender costs no more than reading its request; a delivery refused for
    /// its signature, or signed by someone other than its actor, touches nothing but metrics and the log.
    public func inbox(_ delivery: Delivery) async -> Outcome {
        let (signature, key) = await verifySignature(of: delivery.signedRequest, now: delivery.receivedAt)
        metrics.signature(signature)
        if signatureMode == .enforce, let refusal = Self.enforcementRefusal(signature) {
            return refuse(401, refusal, reason: "signature", signature: signature)
        }
        let activity: Activity
        do {
            activity = try Activity.decode(delivery.body)
        } catch {
            return refuse(400, GateError(.badActivity, error.description), reason: "bad_activity", signature: signature)
        }
        var provenance = Provenance(signature: signature, signer: signature.signer, actorMismatch: false)
        if let signer = signature.signer, signer != activity.actorID {
            switch foreignSigner {
            case .refuse:
                return refuse(
                    401,
                    GateError(
                        .foreignSigner,
                        "the delivery is signed by another actor than the activity's `actor`; deliveries must be signed by their actor (Mastodon refuses them too unless a linked-data signature by the actor verifies, which Herdwatch does not check)"
                    ), reason: "foreign_signer", signature: signature)
            case .evaluate:
                // Evidence nobody we can name vouched for: unsigned to the rules and to reputation.
                provenance = Provenance(signature: .unsigned, signer: signer, actorMismatch: true)
            }
        }
        var stored = delivery.storedRequest
        stored.signedAt = signature.created
        // The key's actor document describes the signer: it is the author's profile only when they are one.
        let profile = key.flatMap { $0.owner == activity.actorID ? $0.actor : nil }
        var outcome = evaluate(
            activity: activity, actor: profile, body: delivery.body, provenance: provenance, request: stored, source: .inbox,
            at: delivery.receivedAt)
        outcome.signature = signature
        return outcome
    }

    /// Why `signatures.mode: enforce` refuses a delivery with this signature, or nil when it passes.
    static func enforcementRefusal(_ signature: SignatureCheck) -> GateError? {
        switch signature {
        case .failed(let code, let reason):
            GateError(.signatureRejected, "\(reason) (\(code))")
        case .unsigned:
            GateError(.signatureRejected, "the request is not signed; inbox deliveries must carry an HTTP signature")
        case .verified:
            nil
        }
    }

    /// A refusal: counted and logged, and nothing else.
    private func refuse(_ status: Int, _ error: GateError, reason: String, signature: SignatureCheck) -> Outcome {
        metrics.refused(reason: reason)
        logger.info("delivery refused", metadata: ["refusal.reason": "\(reason)", "refusal.status": "\(status)"])
        return Outcome(
            disposition: .refuse(status: status, error: error), verdict: nil, signature: signature, activityID: nil,
            reviewCase: nil, duplicate: false)
    }

    // MARK: - Hook

    /// Gates an activity sent to the check hook. The caller delivers or drops it; held and flagged ones still
    /// become cases so moderators see them.
    public func check(_ envelope: CheckEnvelope, source: ReviewCase.Source = .hook, at date: Date = Date()) async -> Outcome {
        var actor = envelope.actor
        let signature: SignatureCheck
        if let original = envelope.originalRequest {
            let (check, key) = await verifySignature(of: original, now: date)
            signature = check
            if actor == nil, key?.owner == envelope.activity.actorID { actor = key?.actor }
        } else {
            switch envelope.statedSignature {
            case .verified?:
                signature = .verified(signer: envelope.activity.actorID ?? "", keyID: "", created: nil)
            case .failed?:
                signature = .failed(code: "stated", reason: "the caller says the signature failed")
            case .unsigned?, nil:
                signature = .unsigned
            }
        }
        metrics.signature(signature)
        // The hook never refuses: a delivery signed by someone other than its actor is evaluated as unsigned,
        // with `signature.actor_mismatch` set, and the caller acts on the verdict.
        var provenance = Provenance(signature: signature, signer: signature.signer, actorMismatch: false)
        if let signer = signature.signer, signer != envelope.activity.actorID {
            provenance = Provenance(signature: .unsigned, signer: signer, actorMismatch: true)
        }
        var outcome = evaluate(
            activity: envelope.activity, actor: actor, body: envelope.body, provenance: provenance, request: nil,
            source: source, at: date)
        outcome.signature = signature
        return outcome
    }

    /// Verifies a request's signature, fetching the key (and fetching it again once when a cached key does
    /// not verify: the actor may have rotated it).
    func verifySignature(of request: SignedRequest, now: Date) async -> (SignatureCheck, ActorKey?) {
        if request.headers.combined("Signature") == nil && request.headers.combined("Signature-Input") == nil {
            return (.unsigned, nil)
        }
        let keyID: String
        do {
            keyID = try SignatureVerifier.keyId(of: request)
        } catch {
            return (.failed(code: error.code.rawValue, reason: error.message), nil)
        }
        guard let keys else {
            return (.failed(code: "noKeySource", reason: "this server does not fetch keys"), nil)
        }
        // The first failure, and the key it failed with.
        var first: (pem: String, failure: SignatureCheck)?
        while true {
            let key: ActorKey
            do {
                key = try await keys.key(for: keyID, refresh: first != nil)
            } catch {
                metrics.keyFetchFailed(error.code.rawValue)
                return (.failed(code: error.code.rawValue, reason: error.message), nil)
            }
            // A refresh that brought back the same key (refetches are rate-limited) is not checked twice.
            if let first, first.pem == key.publicKeyPEM { return (first.failure, nil) }
            do {
                let verified = try SignatureVerifier.verify(request, publicKeyPEM: key.publicKeyPEM, now: now)
                return (.verified(signer: key.owner, keyID: keyID, created: verified.created), key)
            } catch {
                let failure = SignatureCheck.failed(code: error.code.rawValue, reason: error.message)
                // Once more with the key fetched again: the actor may have rotated it.
                if (error.code == .badSignature || error.code == .badKey) && first == nil {
                    first = (key.publicKeyPEM, failure)
                    continue
                }
                return (failure, nil)
            }
        }
    }

    // MARK: - Evaluation

    /// Who stands behind a delivery: the signature as rules and reputation see it, the verified signer (kept
    /// even when the rules see the delivery as unsigned, since cases show it and decisions are booked on it), and
    /// whether that signer is someone other than the activity's actor.
    public struct Provenance: Sendable {
        public var signature: SignatureCheck
        public var signer: String?
        public var actorMismatch: Bool

        public init(signature: SignatureCheck, signer: String?, actorMismatch: Bool) {
            self.signature = signature
            self.signer = signer
            self.actorMismatch = actorMismatch
        }
    }

    /// Evaluates an activity, records it in reputation and, for flag and hold, opens a case (committed before
    /// returning).
    public func evaluate(
        activity: Activity, actor: Actor?, body: [UInt8], provenance: Provenance, request: StoredRequest?,
        source: ReviewCase.Source, at date: Date
    ) -> Outcome {
        let signature = provenance.signature
        let activityID = activity.id
        let deliveryKey = DeliveryKey(id: activityID ?? "", signer: provenance.signer ?? "", body: body)
        if let earlier = activityID != nil ? recent.withLock({ $0[deliveryKey] }) : nil {
            metrics.duplicate()
            var opening: CaseOpening?
            if earlier.action == .hold || earlier.action == .flag {
                opening = try? cases.open(Self.newCase(activity, body, earlier, provenance, deliveryKey, request, source, date))
            }
            return Outcome(
                disposition: Self.disposition(for: earlier.action), verdict: earlier, signature: signature,
                activityID: activityID, reviewCase: opening, duplicate: true)
        }
        let subject = Normalizer.subject(for: activity, actor: actor, now: date)
        let started = ContinuousClock.now
        var reputationSignals: (any Signals)?
        // Fingerprinted here, once and outside the reputation lock, rather than by each of the two calls below
        // while holding it.
        let reputationSubject = reputation.map { _ in ReputationSubject(subject) }
        if let reputation, let reputationSubject {
            do {
                reputationSignals = try reputation.signals(for: reputationSubject, at: date)
            } catch {
                logger.error("reputation read failed; evaluating without reputation", metadata: ["error": "\(error)"])
            }
        }
        var verdict = engines.engine.evaluate(
            subject, signals: RequestSignals(reputation: reputationSignals, signature: signature, actorMismatch: provenance.actorMismatch))
        if verdict.action == .accept || verdict.action == .flag, Self.objectIsOnlyAURL(activity) {
            verdict.action = .hold
            verdict.hits.append(Self.unseenObjectHit)
        }
        metrics.evaluated(verdict, duration: ContinuousClock.now - started)
        if let reputation, let reputationSubject {
            do {
                let keepBody = verdict.action == .hold || verdict.action == .flag
                try reputation.observe(
                    reputationSubject, verdict: verdict, signature: signature.status, body: keepBody ? body : nil, at: date)
            } catch {
                logger.error("reputation write failed", metadata: ["error": "\(error)"])
            }
        }
        var opening: CaseOpening?
        var disposition = Self.disposition(for: verdict.action)
        if verdict.action == .hold || verdict.action == .flag {
            do {
                opening = try cases.open(Self.newCase(activity, body, verdict, provenance, deliveryKey, request, source, date))
                if case .opened(let reviewCase) = opening {
                    metrics.caseOpened(reviewCase)
                    logger.info(
                        "case opened",
                        metadata: ["case.id": "\(reviewCase.id)", "case.action": "\(verdict.action.rawValue)"])
                }
            } catch {
                // Never answer 202 for a held activity that was not stored: the sender must retry.
                logger.error("cannot store the case", metadata: ["error": "\(error)"])
                disposition = .refuse(
                    status: 503, error: GateError(.storageUnavailable, "the review queue cannot store this activity now; retry later"))
            }
        }
        // Only remember verdicts that are acted on: a delivery whose case could not be stored must be evaluated
        // again when it comes back.
        let refused = if case .refuse = disposition { true } else { false }
        if activityID != nil, !refused {
            // The generation a full map drops is released here, after the lock, not while other requests wait.
            let dropped = recent.withLock { $0.insert(verdict, for: deliveryKey) }
            _ = consume dropped
        }
        return Outcome(
            disposition: disposition, verdict: verdict, signature: signature, activityID: activityID, reviewCase: opening,
            duplicate: false)
    }

    /// A `Create` or `Update` whose object is only a URL: the instance would fetch that URL and publish what it
    /// finds, so the post itself would never be looked at. Such a delivery is never accepted unseen.
    static func objectIsOnlyAURL(_ activity: Activity) -> Bool {
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

    static let unseenObjectHit = RuleHit(
        rule: "herdwatch.unseen-object",
        description: "A Create or Update whose object is only a URL: the instance would fetch and publish it unseen, so it is held for a person to look at",
        score: 0, action: .hold, tags: ["builtin"],
        evidence: [Evidence(kind: .field, field: "object", detail: "object is a URL, not the object itself")])

    private static func disposition(for action: RuleAction) -> Disposition {
        switch action {
        case .accept, .flag: .forward
        case .hold, .reject: .withhold
        }
    }

    private static func newCase(
        _ activity: Activity, _ body: [UInt8], _ verdict: Verdict, _ provenance: Provenance, _ deliveryKey: DeliveryKey,
        _ request: StoredRequest?, _ source: ReviewCase.Source, _ date: Date
    ) -> NewCase {
        NewCase(
            activityID: activity.id ?? "urn:herdwatch:unidentified:\(TokenlessID.make(body))", actorID: activity.actorID,
            signer: provenance.signer, deliveryKey: deliveryKey.hex, source: source, verdict: verdict, body: body,
            request: request, openedAt: date)
    }
}

/// A stable id for activities that have none, from their bytes, so duplicates still meet.
enum TokenlessID {
    static func make(_ body: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in body {
            hash = (hash ^ UInt64(byte)) &* 0x0100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}

/// Names one delivery: the SHA-256 of the activity id, the verified signer ("" when none) and the body, so a
/// known id with another body, or someone's bytes re-signed by a third party, is not taken for a repeat.
/// Thirty-two bytes in place of a string key.
struct DeliveryKey: Hashable, Sendable {
    private let words: (UInt64, UInt64, UInt64, UInt64)

    init(id: String, signer: String, body: [UInt8]) {
        var hash = SHA256()
        // Each string's length first, so no id, signer and body triple reads as another.
        for var text in [id, signer] {
            withUnsafeBytes(of: UInt64(text.utf8.count).littleEndian) { hash.update(bufferPointer: $0) }
            text.withUTF8 { hash.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        }
        body.withUnsafeBytes { hash.update(bufferPointer: $0) }
        words = hash.finalize().withUnsafeBytes { digest in
            (
                digest.loadUnaligned(fromByteOffset: 0, as: UInt64.self), digest.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                digest.loadUnaligned(fromByteOffset: 16, as: UInt64.self), digest.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
            )
        }
    }

    /// The digest in hexadecimal: how the case store names the delivery.
    var hex: String {
        [words.0, words.1, words.2, words.3].map { word in
            let digits = String(UInt64(littleEndian: word).byteSwapped, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }.joined()
    }

    static func == (lhs: DeliveryKey, rhs: DeliveryKey) -> Bool {
        lhs.words == rhs.words
    }

    func hash(into hasher: inout Hasher) {
        // Already a digest: one word spreads as well as four.
        hasher.combine(words.0)
    }
}

/// A bounded map from delivery to verdict, in two generations: when the current one holds half the capacity
/// it becomes the previous one, and the previous one is dropped.
struct RecentVerdicts {
    private var current: [DeliveryKey: Verdict] = [:]
    private var previous: [DeliveryKey: Verdict] = [:]
    let capacity: Int

    init(capacity: Int) { self.capacity = max(capacity, 2) }

    subscript(key: DeliveryKey) -> Verdict? {
        current[key] ?? previous[key]
    }

    /// Remembers `verdict`; returns the generation this drops, for the caller to release outside any lock.
    mutating func insert(_ verdict: Verdict, for key: DeliveryKey) -> [DeliveryKey: Verdict] {
        current[key] = verdict
        guard current.count >= capacity / 2 else { return [:] }
        let dropped = previous
        previous = current
        current = Dictionary(minimumCapacity: capacity / 2)
        return dropped
    }
}

/// Why the gate refused a request, with the HTTP-independent code the server maps to a status.
public struct GateError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        case badActivity = "bad_activity"
        case signatureRejected = "signature_rejected"
        case storageUnavailable = "storage_unavailable"
        case foreignSigner = "foreign_signer"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
