import Access
public import Foundation

/// What applying a command changes: the case as it becomes, the audit entries to append and the proposals to
/// store, all in the same transaction.
public struct CaseUpdate: Sendable, Hashable {
    public var reviewCase: ReviewCase
    public var audit: [AuditEntry]
    /// Proposals before the store numbers them (`id` 0).
    public var proposals: [Proposal]
}

extension ReviewCase {
    /// The state machine. Every store applies commands through this one function, so they cannot disagree:
    /// - claim: open or in review (own or expired lease) → in review; escalated stays escalated (needs
    ///   `confirmProposals`); closed → refused;
    /// - renew: the holder of a live lease extends it;
    /// - release: in review → open (escalated stays escalated), lease dropped;
    /// - decide: open or in review → closed (approve, reject) or escalated (escalate); escalated → closed only
    ///   for `confirmProposals` holders; closed → refused;
    /// - reopen: closed → open.
    ///
    /// A live lease held by someone else refuses every command (`leasedElsewhere`); a version other than the
    /// case's refuses it too (`staleVersion`). Every accepted command raises the version by one.
    public func applying(
        _ command: CaseCommand, reasons: [String] = ReasonCodes.default
    ) throws(CaseWorkflowError) -> CaseUpdate {
        let principal = command.principal
        let now = command.at
        guard principal.allows(.decide) else {
            throw CaseWorkflowError(
                .forbidden, "\(principal.displayName) may not work cases; ask an admin for the moderator role",
                caseID: id)
        }
        if let expected = command.version, expected != version {
            throw CaseWorkflowError(
                .staleVersion,
                "case \(id) changed since you loaded it (you sent version \(expected), it is now at version \(version)); reload it and decide again",
                caseID: id, currentVersion: version)
        }
        let liveLease = lease.flatMap { $0.isActive(at: now) ? $0 : nil }
        let holdsLease = liveLease?.holder == principal.leaseKey
        if let liveLease, !holdsLease, state == .inReview || state == .escalated {
            throw CaseWorkflowError(
                .leasedElsewhere,
                "case \(id) is being reviewed by \(liveLease.holderName) until \(liveLease.expiresAt.formatted(.iso8601)); take another case",
                caseID: id)
        }
        var next = self
        next.version += 1
        var audit: [AuditEntry] = []
        var proposals: [Proposal] = []
        func entry(_ action: AuditEntry.Action, reason: String? = nil, note: String? = nil) -> AuditEntry {
            AuditEntry(
                by: principal, at: now, batchID: command.batchID, caseID: id, action: action, from: state,
                to: next.state,
                reason: reason, note: note)
        }
        switch command.kind {
        case .claim(let duration):
            switch state {
            case .open, .inReview: next.state = .inReview
            case .escalated: try requireConfirm(principal)
            case .closed: throw badTransition("claim", hint: "reopen it first")
            }
            next.lease = Lease(
                holder: principal.leaseKey, holderName: principal.displayName,
                expiresAt: now.addingTimeInterval(duration))
            audit.append(entry(.claim))
        case .renew(let duration):
            guard holdsLease, state == .inReview || state == .escalated else {
                throw CaseWorkflowError(
                    .badTransition, "you hold no lease on case \(id) (it may have expired); claim it again", caseID: id)
            }
            next.lease?.expiresAt = now.addingTimeInterval(duration)
            audit.append(entry(.renew))
        case .release:
            guard lease != nil, state == .inReview || state == .escalated else {
                throw CaseWorkflowError(
                    .badTransition, "case \(id) is \(state.rawValue) and leased to nobody; there is nothing to release",
                    caseID: id)
            }
            if state == .inReview { next.state = .open }
            next.lease = nil
            audit.append(entry(.release))
        case .decide(let decision, let delivery):
            guard reasons.contains(decision.reason) else {
                throw CaseWorkflowError(
                    .badReason,
                    "'\(decision.reason)' is not a reason code; use one of \(reasons.joined(separator: ", "))",
                    caseID: id)
            }
            let outcomes = decision.actions.filter { !$0.isProposal }
            guard outcomes.count == 1, let outcome = outcomes.first else {
                throw CaseWorkflowError(
                    .badDecision,
                    "a decision needs exactly one of approve, reject or escalate (it had \(outcomes.count)); proposals go with it",
                    caseID: id)
            }
            switch state {
            case .open, .inReview: break
            case .escalated:
                try requireConfirm(principal)
                if outcome == .escalate { throw badTransition("escalate", hint: "approve or reject it") }
            case .closed: throw badTransition(outcome.rawValue, hint: "reopen it first")
            }
            next.lease = nil
            switch outcome {
            case .approve, .reject:
                next.state = .closed
                next.outcome = outcome == .approve ? .approved : .rejected
                next.decidedBy = principal.displayName
                next.closedAt = now
                if let delivery { next.delivery = delivery }
                audit.append(
                    entry(outcome == .approve ? .approve : .reject, reason: decision.reason, note: decision.note))
            default:
                next.state = .escalated
                audit.append(entry(.escalate, reason: decision.reason, note: decision.note))
            }
            for action in decision.proposals {
                let target = action == .blockDomain ? host : subjectActor
                guard let target else {
                    throw CaseWorkflowError(
                        .badDecision, "case \(id) names no actor, so \(action.rawValue) cannot be proposed", caseID: id)
                }
                proposals.append(
                    Proposal(
                        id: 0, caseID: id, action: action, target: target, reason: decision.reason, note: decision.note,
                        proposedBy: principal.displayName, proposedAt: now))
                audit.append(entry(.propose, reason: decision.reason, note: "\(action.rawValue) \(target)"))
            }
        case .reopen(let reason, let note):
            guard state == .closed else { throw badTransition("reopen", hint: "only closed cases can be reopened") }
            next.state = .open
            next.outcome = nil
            next.lease = nil
            next.closedAt = nil
            audit.append(entry(.reopen, reason: reason, note: note))
        }
        return CaseUpdate(reviewCase: next, audit: audit, proposals: proposals)
    }

    /// An in-review case whose lease ran out goes back to the queue; nil when the case is not such a case.
    public func expiringLease(at now: Date) -> CaseUpdate? {
        guard state == .inReview, let lease, !lease.isActive(at: now) else { return nil }
        var next = self
        next.state = .open
        next.lease = nil
        next.version += 1
        let entry = AuditEntry(
            by: Principal(account: nil, token: nil, via: .expiry), at: now, caseID: id, action: .expire, from: state,
            to: .open,
            note: "lease of \(lease.holderName) expired")
        return CaseUpdate(reviewCase: next, audit: [entry], proposals: [])
    }

    /// Whether `next` may hand the case out now: open, or in review / escalated under an expired lease.
    public func isFree(at now: Date) -> Bool {
        switch state {
        case .open: true
        case .inReview, .escalated: !(lease?.isActive(at: now) ?? false)
        case .closed: false
        }
    }

    private func requireConfirm(_ principal: Principal) throws(CaseWorkflowError) {
        guard principal.allows(.confirmProposals) else {
            throw CaseWorkflowError(
                .forbidden, "case \(id) is escalated; only a lead or an admin can work it", caseID: id)
        }
    }

    private func badTransition(_ move: String, hint: String) -> CaseWorkflowError {
        CaseWorkflowError(
            .badTransition,
            "case \(id) is \(state.rawValue), so it cannot \(move == "reopen" ? "be reopened" : "take '\(move)'"); \(hint)",
            caseID: id)
    }
}
