public import Logging
public import PostgresNIO
import Foundation
import NIOSSL

/// A PostgreSQL database shared by every node: a pool of connections (PostgresNIO's `PostgresClient`), the
/// schema its tables live in, and the migrations that make them.
///
/// Selected with `--database postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE` (query options: `sslmode=disable`,
/// `prefer` (the default) or `require`; `schema=NAME`, default `public`).
public final class PostgreSQLDatabase: Sendable {
    public let client: PostgresClient
    /// Where the tables are: every connection has it as its `search_path`.
    public let schema: String
    /// The URL without its password, for messages.
    public let displayURL: String
    let logger: Logger
    private let runner: Task<Void, Never>
    /// This process's name among the nodes, in the signals it sends (so it can ignore its own).
    let nodeID = UUID().uuidString.lowercased()

    /// Parses `url` and starts the connection pool (connections open on first use). Call ``close()`` when done.
    public init(url: String, schema: String? = nil, logger: Logger = Logger(label: "herdwatch.postgres"))
        throws(PostgresStoreError)
    {
        let parsed = try Self.configuration(url: url, schema: schema)
        self.schema = parsed.schema
        self.displayURL = parsed.display
        self.logger = logger
        let client = PostgresClient(configuration: parsed.configuration, backgroundLogger: logger)
        self.client = client
        runner = Task { await client.run() }
    }

    /// Stops the pool: queries after this fail.
    public func close() async {
        runner.cancel()
        await runner.value
    }

    static func configuration(url: String, schema explicitSchema: String?) throws(PostgresStoreError) -> (
        configuration: PostgresClient.Configuration, schema: String, display: String
    ) {
        func invalid(_ why: String) -> PostgresStoreError {
            PostgresStoreError(
                code: .invalidURL,
                message: "database URL: \(why); expected postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE")
        }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "postgres" || scheme == "postgresql"
        else { throw invalid("not a postgres:// URL") }
        guard let host = components.host, !host.isEmpty else { throw invalid("no host") }
        guard let user = components.user, !user.isEmpty else { throw invalid("no user") }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else { throw invalid("no database name after the host") }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw invalid("port \(port) is out of range") }
        var configuration = PostgresClient.Configuration(
            host: host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host, port: port,
            username: user.removingPercentEncoding ?? user,
            password: components.password.map { $0.removingPercentEncoding ?? $0 },
            database: database.removingPercentEncoding ?? database, tls: .disable)
        var schema = explicitSchema ?? "public"
        var tls = "prefer"
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode": tls = item.value ?? ""
            case "schema" where explicitSchema == nil: schema = item.value ?? ""
            default: throw invalid("unknown option \(item.name) (known: sslmode, schema)")
            }
        }
        switch tls {
        case "disable": configuration.tls = .disable
        case "prefer": configuration.tls = .prefer(.makeClientConfiguration())
        case "require": configuration.tls = .require(.makeClientConfiguration())
        default: throw invalid("sslmode=\(tls) is not supported (use disable, prefer or require)")
        }
        guard Self.isIdentifier(schema) else {
            throw invalid("schema \(schema) must be 1-63 characters of a-z, 0-9 and _, starting with a letter")
        }
        configuration.options.additionalStartupParameters = [("search_path", schema)]
        // Up to four are held for long: one per background job this node runs, and one listening for signals.
        configuration.options.maximumConnections = 16
        var display = components
        display.password = nil
        return (configuration, schema, display.string ?? "postgres://\(host)")
    }

    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first), name.utf8.count <= 63 else {
            return false
        }
        return name.utf8.allSatisfy {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                || $0 == UInt8(ascii: "_")
        }
    }
}
