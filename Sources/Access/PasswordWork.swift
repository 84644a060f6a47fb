import Dispatch

/// Where password hashing runs. bcrypt and PBKDF2 keep a core busy for a quarter of a second or more, which must
/// not happen on an event loop or in Swift's cooperative pool. The server passes its blocking-work thread pool
/// (the shape is `Intake.BlockingWork`'s, so `extension ThreadPoolWork: PasswordWork {}` is all it takes).
public protocol PasswordWork: Sendable {
    func run<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result
}

/// Password work on a serial dispatch queue of its own: off the caller's thread, and never more than one core at a
/// time, however many sign-ins arrive at once (the rest wait their turn).
public struct SerialPasswordWork: PasswordWork {
    private let queue: DispatchQueue

    public init(label: String = "herdwatch.password-hashing") {
        queue = DispatchQueue(label: label, qos: .userInitiated)
    }

    public func run<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Swift.Result { try body() }) }
        }
    }
}
