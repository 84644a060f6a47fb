import Foundation

/// Durable storage of review cases. Implementations commit before returning: a held activity that has been
/// answered `202 Accepted` must never be lost. Every call is async: one that waits on a disk or a lock suspends
/// the caller's task instead of blocking its thread (an event loop, in the server).
public protocol CaseStore: Sendable {
    /// Opens a case for a delivery, or, when one already exists for the same delivery key (activity id, signer
    /// and body), counts the delivery as a duplicate and returns the existing case unchanged otherwise.
    func open(_ newCase: NewCase) async throws -> CaseOpening

    func reviewCase(id: Int64) async throws -> ReviewCase?

    /// The cases about an activity id, oldest first: one per distinct delivery of it.
    func cases(activityID: String) async throws -> [ReviewCase]

    /// Cases in the given state (all states when nil), oldest first.
    func cases(state: ReviewCase.State?, limit: Int) async throws -> [ReviewCase]

    /// Counts cases per state.
    func caseCounts() async throws -> [ReviewCase.State: Int]

    /// Moves an open case to `state`, recording a delivery when one happened and who decided. Returns nil when
    /// the case does not exist; throws `CaseTransitionError` when it is not open.
    func decide(id: Int64, state: ReviewCase.State, delivery: ReviewCase.Delivery?, by decider: String?) async throws -> ReviewCase?
}

/// A decision on a case that was already decided.
public struct CaseTransitionError: Error, Sendable, CustomStringConvertible {
    public var caseID: Int64
    public var state: ReviewCase.State

    public init(caseID: Int64, state: ReviewCase.State) {
        self.caseID = caseID
        self.state = state
    }

    public var description: String { "case \(caseID) is already \(state.rawValue); only open cases can be decided" }
}
