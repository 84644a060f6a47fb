/// The operation did not finish before its deadline.
struct BodyTimeout: Error {}

/// Runs `operation`, cancelling it and throwing `BodyTimeout` when it takes longer than `timeout`.
func withDeadline<T: Sendable>(_ timeout: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw BodyTimeout() }
        return value
    }
}
