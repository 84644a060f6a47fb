import Hummingbird
import Logging

/// The benchmark's yardstick: a Hummingbird server that only reads the request body and answers
/// `202 Accepted`, so `herdwatch bench serve` can report the hook's throughput as a share of what the HTTP
/// stack alone does on the same machine in the same run.
public enum BareEndpoint {
    struct Responder: HTTPResponder {
        typealias Context = BasicRequestContext

        func respond(to request: Request, context: Context) async throws -> Response {
            _ = try await request.body.collect(upTo: 16 << 20)
            return Response(status: .accepted)
        }
    }

    /// Serves until SIGTERM or SIGINT; `onRunning` gets the port.
    public static func run(host: String, port: Int, onRunning: @escaping @Sendable (Int) async -> Void) async throws {
        var logger = Logger(label: "herdwatch-bare")
        logger.logLevel = .warning
        let app = Application(
            responder: Responder(), configuration: .init(address: .hostname(host, port: port)),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) }, logger: logger)
        try await app.runService()
    }
}
