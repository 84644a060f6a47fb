public import Access
public import Foundation

/// A blind second review of a closed case: another moderator decides it again without seeing the first decision,
/// and the two outcomes are compared. Which closed cases are reviewed is `QASampling`.
public struct QAReview: Sendable, Hashable, Codable {
    public var caseID: Int64
    /// Who decided the case first (`Principal.displayName`), and their account: they never review it.
    public var firstDecider: String
    public var firstAccountID: Int64?
    public var firstOutcome: ReviewCase.Outcome
    public var sampledAt: Date
    /// The reviewer holding it, until when.
    public var lease: ReviewCase.Lease?
    public var reviewer: String?
    public var outcome: ReviewCase.Outcome?
    public var answeredAt: Date?

    public init(
        caseID: Int64, firstDecider: String, firstAccountID: Int64?, firstOutcome: ReviewCase.Outcome, sampledAt: Date,
        lease: ReviewCase.Lease? = nil, reviewer: String? = nil, outcome: ReviewCase.Outcome? = nil,
        answeredAt: Date? = nil
    ) {
        self.caseID = caseID
        self.firstDecider = firstDecider
        self.firstAccountID = firstAccountID
        self.firstOutcome = firstOutcome
        self.sampledAt = sampledAt
        self.lease = lease
        self.reviewer = reviewer
        self.outcome = outcome
        self.answeredAt = answeredAt
    }

    /// Whether the second outcome is the first; nil until answered.
    public var agrees: Bool? { outcome.map { $0 == firstOutcome } }

    /// Whether `principal` decided the case first.
    public func isFirstDecider(_ principal: Principal) -> Bool {
        if let firstAccountID, principal.accountID == firstAccountID { return true }
        return principal.displayName == firstDecider
    }

    /// Refuses a QA command by someone who may not do QA: contractors, and those without `decide`.
    public static func checkReviewer(_ principal: Principal) throws(CaseWorkflowError) {
        guard principal.allows(.decide), principal.role != .contractor else {
            throw CaseWorkflowError(
                .forbidden, "\(principal.displayName) may not do QA reviews; they are for moderators, leads and admins")
        }
    }

    /// The answer of `principal`: they must not be the first decider, the review must be open, and nobody else may
    /// hold a live lease on it.
    public func answering(_ outcome: ReviewCase.Outcome, by principal: Principal, at now: Date)
        throws(CaseWorkflowError)
        -> QAReview
    {
        try Self.checkReviewer(principal)
        guard !isFirstDecider(principal) else {
            throw CaseWorkflowError(
                .forbidden,
                "\(principal.displayName) decided case \(caseID) and may not review it; another moderator must",
                caseID: caseID)
        }
        guard self.outcome == nil else {
            throw CaseWorkflowError(
                .badTransition, "the QA review of case \(caseID) is already answered", caseID: caseID)
        }
        if let lease, lease.isActive(at: now), lease.holder != principal.leaseKey {
            throw CaseWorkflowError(
                .leasedElsewhere, "\(lease.holderName) is reviewing case \(caseID); take the next QA review",
                caseID: caseID)
        }
        var answered = self
        answered.outcome = outcome
        answered.reviewer = principal.displayName
        answered.answeredAt = now
        answered.lease = nil
        return answered
    }
}

/// Which closed cases go to QA: a hash of the case id under `share`, so the same cases every time (and in tests),
/// computed alike in Swift and in SQL (`sqlCondition`).
public enum QASampling {
    static let multiplier: UInt64 = 2_654_435_761
    static let modulus: UInt64 = 4_294_967_296

    public static func isSampled(caseID: Int64, share: Double) -> Bool {
        Double((UInt64(caseID) &* multiplier) % modulus) < threshold(share)
    }

    /// The hash bound for `share`.
    public static func threshold(_ share: Double) -> Double { min(max(share, 0), 1) * Double(modulus) }

    /// The SQL condition on a column of case ids, with the threshold as its one argument.
    public static func sqlCondition(column: String) -> String {
        "((\(column) * \(multiplier)) % \(modulus)) < ?"
    }
}

/// Agreement of second reviews with first decisions, for one moderator (the first decider) or one rule.
public struct QAAgreement: Sendable, Hashable, Codable {
    public var name: String
    public var reviewed: Int
    public var agreed: Int

    public init(name: String, reviewed: Int, agreed: Int) {
        self.name = name
        self.reviewed = reviewed
        self.agreed = agreed
    }

    public var rate: Double { reviewed == 0 ? 0 : Double(agreed) / Double(reviewed) }
}

/// A store that keeps QA reviews.
public protocol CaseQAStore: CaseStore {
    /// Samples the closed cases not yet sampled (`QASampling` under `share`), then leases to `principal` the oldest
    /// unanswered review that they did not decide first and nobody else holds; nil when there is none.
    func nextQA(for principal: Principal, share: Double, lease: TimeInterval, at now: Date) async throws
        -> (QAReview, ReviewCase)?

    /// Records `principal`'s blind outcome for the case's QA review (see `QAReview.answering`).
    func answerQA(caseID: Int64, outcome: ReviewCase.Outcome, by principal: Principal, at now: Date) async throws
        -> QAReview

    /// Agreement of answered reviews per first decider and per rule that fired on the case, by name.
    func qaAgreement() async throws -> (moderators: [QAAgreement], rules: [QAAgreement])
}
