import Hummingbird
import Logging
public import NIOCore
import ServiceLifecycle
import Synchronization

/// `herdwatch-bench media`'s image host: serves one image at any path ending in ``image`` on 127.0.0.1, counting
/// requests; paths under `/slow/` answer after `slowDelay`. A new path per delivery (`/fresh/N/image.png`) is a
/// URL the media inspector's cache has not seen. Here, so that the CLI targets need not import Hummingbird.
public final class BenchImageServer: Sendable {
    public static let image = "image.png"

    private let bytes: ByteBuffer
    private let slowDelay: Duration
    private let served = Atomic<Int>(0)

    public init(image: ByteBuffer, slowDelay: Duration) {
        self.bytes = image
        self.slowDelay = slowDelay
    }

    /// Requests answered so far.
    public var requests: Int { served.load(ordering: .relaxed) }

    /// Serves while `body` runs with the server's base URL (`http://127.0.0.1:PORT`), then stops.
    public func serving<T: Sendable>(_ body: @escaping @Sendable (String) async throws -> T) async throws -> T {
        var logger = Logger(label: "herdwatch-bench-media")
        logger.logLevel = .warning
        let (ports, portReady) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            responder: ResponderBox(server: self), configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portReady.yield(channel.localAddress?.port ?? 0)
                portReady.finish()
            }, logger: logger)
        let services = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        do {
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask {
                    try await services.run()
                    return nil
                }
                var next = ports.makeAsyncIterator()
                guard let port = await next.next(), port > 0 else {
                    throw BenchImageServerError(message: "the image server on 127.0.0.1 did not start")
                }
                let result = try await body("http://127.0.0.1:\(port)")
                await services.triggerGracefulShutdown()
                try await group.waitForAll()
                return result
            }
        } catch {
            await services.triggerGracefulShutdown()
            throw error
        }
    }

    /// Answers through the server's own counter.
    struct ResponderBox: HTTPResponder, Sendable {
        typealias Context = BasicRequestContext
        let server: BenchImageServer

        func respond(to request: Request, context: Context) async throws -> Response {
            server.served.add(1, ordering: .relaxed)
            let path = request.uri.path
            guard path.hasSuffix("/\(BenchImageServer.image)") else { return Response(status: .notFound) }
            if path.hasPrefix("/slow/") { try await Task.sleep(for: server.slowDelay) }
            return Response(
                status: .ok, headers: [.contentType: "image/png"], body: ResponseBody(byteBuffer: server.bytes))
        }
    }
}

/// Why the bench's image server could not serve.
public struct BenchImageServerError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
