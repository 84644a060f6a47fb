import Foundation
import Logging
import PostgresNIO

extension PostgreSQLDatabase {
    /// The channel every Herdwatch node on this database listens on (LISTEN/NOTIFY). A payload is
    /// `SCHEMA:KIND:NODE`: nodes on other schemas ignore it, and a node ignores what it sent itself. The blocklist
    /// trigger sends `SCHEMA:blocklist:` (no node) whenever the list or a subscription's entries change.
    static let signalChannel = "herdwatch"

    /// Tells every other node sharing this schema that `kind` changed (e.g. `rules`).
    public func signal(_ kind: String) async throws(PostgresStoreError) {
        let payload = "\(schema):\(kind):\(nodeID)"
        do {
            try await client.query("SELECT pg_notify(\(Self.signalChannel), \(payload))", logger: logger)
        } catch {
            throw Self.storeError(error, doing: "send a signal to the other nodes of")
        }
    }

    /// Calls `handler` with the kind of each signal another node (or the database) sends for this schema, until
    /// cancelled. Listens on a connection of its own; when it is lost, listens again after `retry` (signals sent
    /// meanwhile are missed: the polling that every kind also has catches up).
    public func listenForSignals(
        retry: Duration = .seconds(5), _ handler: @escaping @Sendable (_ kind: String) async -> Void
    ) async throws {
        let (schema, node) = (schema, nodeID)
        while true {
            try Task.checkCancellation()
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: Self.signalChannel) { notifications in
                        for try await notification in notifications {
                            let parts = notification.payload.split(
                                separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
                            guard parts.count == 3, parts[0] == schema, parts[2] != node else { continue }
                            await handler(String(parts[1]))
                        }
                    }
                }
            } catch {
                try Task.checkCancellation()
                logger.warning(
                    "lost the connection that listens for other nodes' signals; listening again",
                    metadata: ["error": "\(String(reflecting: error))"])
            }
            try await Task.sleep(for: retry)
        }
    }
}
