import ActivityPub
public import Foundation
public import Intake
public import Logging
public import Reputation
public import ReviewQueue
public import RuleEngine

/// The HTTP side of an assessment, shared by the inbox firewall and the check hook: verify the signature (before
/// the body is parsed, for deliveries), decide what it establishes, and hand the activity to the one assessment
/// step (`Assessor`), which evaluates, records and opens a case for held and flagged activities before anyone is
/// answered.
public final class Gate: Sendable {
    public let assessor: Assessor
    public let keys: (any ActorKeyResolver)?
    public let signatureMode: ServerConfiguration.SignatureMode
    public let foreignSigner: ServerConfiguration.ForeignSignerPolicy
    let metrics: ServerMetrics
    let logger: Logger
    /// Reads QR codes in the images of verified deliveries (`media.inspect`); nil when off.
    let media: MediaInspector?

    public var engines: RuleEngineHolder { assessor.engines }
    public var reputation: Reputation? { assessor.reputation }
    public let cases: any CaseStore

    /// - Parameter work: where reputation's reads and writes run: a thread pool of the server's, never the event
    ///   loops.
    public init(
        engines: RuleEngineHolder, reputation: Reputation?, cases: any CaseStore, keys: (any ActorKeyResolver)?,
        signatureMode: ServerConfiguration.SignatureMode, foreignSigner: ServerConfiguration.ForeignSignerPolicy = .refuse,
        work: any BlockingWork = InlineWork(), metrics: ServerMetrics, logger: Logger,
        domainBlocks: (any DomainBlockLookup)? = nil, media: MediaInspector? = nil, follows: LocalFollows? = nil,
        deliveries: (any DeliveryLedger)? = nil
    ) {
        self.media = media
        self.assessor = Assessor(
            engines: engines, reputation: reputation, cases: cases, work: work, observer: metrics, logger: logger,
            domainBlocks: domainBlocks, follows: follows, ledger: deliveries)
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
        let provenance = Provenance(checking: signature, actorID: activity.actorID)
        if provenance.actorMismatch {
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
                break
            }
        }
        var stored = delivery.storedRequest
        stored.signedAt = signature.created
        // The key's actor document describes the signer: it is the author's profile only when they are one.
        let profile = key.flatMap { $0.owner == activity.actorID ? $0.actor : nil }
        return await assess(
            Assessor.Input(
                activity: activity, actor: profile, body: delivery.body, provenance: provenance, request: stored, source: .inbox,
                at: delivery.receivedAt),
            signature: signature)
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
    public func check(_ envelope: Envelope, source: ReviewCase.Source = .hook, at date: Date = Date()) async -> Outcome {
        var actor = envelope.actor
        let signature: SignatureCheck
        let provenance: Provenance
        if let original = envelope.originalRequest {
            let (check, key) = await verifySignature(of: original, now: date)
            signature = check
            if actor == nil, key?.owner == envelope.activity.actorID { actor = key?.actor }
            // The hook never refuses: a delivery signed by someone other than its actor is evaluated as unsigned,
            // with `signature.actor_mismatch` set, and the caller acts on the verdict.
            provenance = Provenance(checking: signature, actorID: envelope.activity.actorID)
        } else {
            provenance = Provenance(stated: envelope.statedSignature ?? .unsigned, actorID: envelope.activity.actorID)
            signature = provenance.signature
        }
        metrics.signature(signature)
        return await assess(
            Assessor.Input(
                activity: envelope.activity, actor: actor, body: envelope.body, provenance: provenance, source: source, at: date),
            signature: signature)
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

    // MARK: - Assessment

    /// Assesses, and says what to do with the request: a held or flagged activity whose case could not be stored
    /// is refused with 503 (never answer 202 for what was not kept: the sender must retry).
    private func assess(_ input: Assessor.Input, signature: SignatureCheck) async -> Outcome {
        let assessment: Assessor.Assessment
        if let subject = await inspectMedia(of: input) {
            assessment = await assessor.assess(assessor.prepare(input, subject: subject))
        } else {
            assessment = await assessor.assess(input)
        }
        var disposition = Self.disposition(for: assessment.verdict.action)
        if assessment.caseFailure != nil {
            disposition = .refuse(
                status: 503, error: GateError(.storageUnavailable, "the review queue cannot store this activity now; retry later"))
        }
        return Outcome(
            disposition: disposition, verdict: assessment.verdict, signature: signature, activityID: assessment.activityID,
            reviewCase: assessment.reviewCase, duplicate: assessment.duplicate)
    }

    /// With `media.inspect`, the subject of a verified delivery with images, with the links its QR codes hold;
    /// nil when there is nothing to inspect. The delivery waits for its images (up to `media.fetchTimeoutSeconds`)
    /// so the verdict is reached once, with them: never fetched for an unverified delivery, whose sender could
    /// otherwise make us fetch anything.
    private func inspectMedia(of input: Assessor.Input) async -> Subject? {
        guard let media, input.provenance.signature.status == .verified else { return nil }
        let urls = media.imageURLs(in: input.activity)
        guard !urls.isEmpty else { return nil }
        let started = ContinuousClock.now
        let codes = await media.codes(in: urls)
        logger.debug(
            "media: read \(codes.count) QR code(s) in \(urls.count) image(s) in \(ContinuousClock.now - started)",
            metadata: ["activity.id": "\(input.activity.id ?? "")"])
        var subject = Normalizer.subject(for: input.activity, actor: input.actor, now: input.at)
        subject.addMediaLinks(codes)
        return subject
    }

    private static func disposition(for action: RuleAction) -> Disposition {
        switch action {
        case .accept, .flag: .forward
        case .hold, .reject: .withhold
        }
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
