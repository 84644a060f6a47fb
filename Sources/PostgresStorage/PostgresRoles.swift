import Foundation
import Logging
import PostgresNIO

extension PostgreSQLDatabase {
    /// Runs `body` while this node holds `role` among every node sharing this schema, and only then.
    ///
    /// A role is a session advisory lock (`pg_try_advisory_lock`), held on a connection of its own. PostgreSQL
    /// releases it when that connection ends, so when a node dies (even with `kill -9`) another node takes the
    /// role over at its next try. Nodes that do not hold the role try again every `retry`. The holder checks its
    /// connection as often: when the connection is lost, `body` is cancelled (its node may no longer hold the
    /// lock) and the node goes back to trying. So when a holder's connection drops while its node lives on, both
    /// nodes may run `body` for up to one `retry`: a role's work must tolerate that (lease expiry and retention
    /// do; each of their writes is a transaction that checks what it changes).
    ///
    /// Returns when `body` returns, or throws when it throws; ends with `CancellationError` when cancelled.
    public func whileHoldingRole(
        _ role: String, retry: Duration = .seconds(5), _ body: @escaping @Sendable () async throws -> Void
    ) async throws {
        let schema = schema
        while true {
            try Task.checkCancellation()
            let held: Bool
            do {
                held = try await client.withConnection { connection in
                    let rows = try await connection.query(
                        "SELECT pg_try_advisory_lock(hashtext(\(schema)), hashtext(\(role)))", logger: logger)
                    var got = false
                    for try await value in rows.decode(Bool.self) { got = value }
                    guard got else { return false }
                    logger.info("this node now runs \(role)", metadata: ["role": "\(role)"])
                    try await Self.run(body, watching: connection, every: retry, logger: logger)
                    _ = try? await connection.query(
                        "SELECT pg_advisory_unlock(hashtext(\(schema)), hashtext(\(role)))", logger: logger)
                    return true
                }
            } catch let error as RoleBodyError {
                throw error.underlying
            } catch {
                try Task.checkCancellation()
                logger.warning(
                    "lost the database connection that holds or seeks a role; trying again",
                    metadata: ["role": "\(role)", "error": "\(String(reflecting: error))"])
                held = false
            }
            if held { return }
            try await Task.sleep(for: retry)
        }
    }

    /// The connection holding a role closed.
    private struct RoleConnectionClosed: Error, CustomStringConvertible {
        var description: String { "the connection holding the role closed" }
    }

    /// What `body` itself threw, told apart from losing the connection.
    private struct RoleBodyError: Error {
        let underlying: any Error
    }

    /// Runs `body` beside a check of `connection` every `interval`; the first to end ends both.
    private static func run(
        _ body: @escaping @Sendable () async throws -> Void, watching connection: PostgresConnection,
        every interval: Duration, logger: Logger
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do { try await body() } catch is CancellationError { throw CancellationError() } catch {
                    throw RoleBodyError(underlying: error)
                }
            }
            group.addTask {
                while true {
                    try await Task.sleep(for: interval)
                    // A closed connection does not always fail a query on it at once: look before asking.
                    guard !connection.isClosed else { throw RoleConnectionClosed() }
                    try await connection.query("SELECT 1", logger: logger)
                }
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }
}
