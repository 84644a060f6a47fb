import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Resolves the host of a key's URL. The fetcher resolves a name once, checks every address, and connects to a
/// checked one, so a name cannot answer one way for the check and another for the connection (DNS rebinding).
public protocol KeyHostResolver: Sendable {
    /// Every address the host name resolves to; empty (or an error) when it does not resolve.
    func addresses(of host: String) async throws -> [IPAddress]
}

/// `getaddrinfo`, run on NIO's thread pool for blocking work, never on the caller's executor or an event loop.
/// A cancelled lookup stops being awaited at once; the pool thread finishes it and the answer is dropped.
public struct SystemKeyHostResolver: KeyHostResolver {
    public init() {}

    public func addresses(of host: String) async throws -> [IPAddress] {
        let promise = MultiThreadedEventLoopGroup.singleton.any().makePromise(of: [IPAddress].self)
        NIOThreadPool.singleton.runIfActive(eventLoop: promise.futureResult.eventLoop) { Self.lookUp(host) }
            .cascade(to: promise)
        return try await withTaskCancellationHandler {
            try await promise.futureResult.get()
        } onCancel: {
            promise.fail(CancellationError())
        }
    }

    /// Blocks: call on a thread that may block.
    private static func lookUp(_ host: String) -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_ADDRCONFIG
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return [] }
        defer { freeaddrinfo(first) }
        var addresses: [IPAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let address = entry.pointee.ai_addr {
                switch Int32(address.pointee.sa_family) {
                case AF_INET:
                    let bytes = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                        withUnsafeBytes(of: pointer.pointee.sin_addr) { Array($0) }
                    }
                    if let ip = IPAddress(bytes: bytes), !addresses.contains(ip) { addresses.append(ip) }
                case AF_INET6:
                    let bytes = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                        withUnsafeBytes(of: pointer.pointee.sin6_addr) { Array($0) }
                    }
                    if let ip = IPAddress(bytes: bytes), !addresses.contains(ip) { addresses.append(ip) }
                default:
                    break
                }
            }
            cursor = entry.pointee.ai_next
        }
        return addresses
    }
}
