import Dispatch
import Synchronization

/// Where password hashing runs. bcrypt and PBKDF2 keep a core busy for a quarter of a second or more, which must
/// not happen on an event loop or in Swift's cooperative pool. The server passes its blocking-work thread pool
/// (the shape is `Intake.BlockingWork`'s, so `extension ThreadPoolWork: PasswordWork {}` is all it takes).
public protocol PasswordWork: Sendable {
    func run<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result
}

/// Password work on a serial dispatch queue of its own: off the caller's thread, and never more than one core at a
/// time, however many sign-ins arrive at once.
///
/// The queue is bounded: with `maxWaiting` hashes already queued, `run` throws `PasswordWorkBusy` at once. A
/// flood of sign-ins from many addresses (each under the throttle's limits) then gets a quick refusal instead of
/// making every moderator who signs in wait behind minutes of bcrypt.
public final class SerialPasswordWork: PasswordWork {
    private let queue: DispatchQueue
    private let waiting = Atomic<Int>(0)
    public let maxWaiting: Int

    public init(label: String = "herdwatch.password-hashing", maxWaiting: Int = 8) {
        queue = DispatchQueue(label: label, qos: .userInitiated)
        self.maxWaiting = max(1, maxWaiting)
    }

    /// Hashes queued or running now.
    public var queued: Int { waiting.load(ordering: .relaxed) }

    public func run<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        let queued = waiting.add(1, ordering: .relaxed).newValue
        guard queued <= maxWaiting else {
            waiting.subtract(1, ordering: .relaxed)
            throw PasswordWorkBusy(queued: queued - 1)
        }
        return try await withCheckedThrowingContinuation { continuation in
            queue.async { [self] in
                let result = Swift.Result { try body() }
                waiting.subtract(1, ordering: .relaxed)
                continuation.resume(with: result)
            }
        }
    }
}

/// Thrown by `SerialPasswordWork.run` when its queue is full.
public struct PasswordWorkBusy: Error, Sendable, CustomStringConvertible {
    /// Hashes queued or running when this one was refused.
    public let queued: Int

    public var description: String { "\(queued) password checks are already waiting; try again in a few seconds" }
}
