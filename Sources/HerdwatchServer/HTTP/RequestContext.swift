public import Access
public import Hummingbird
public import NIOCore

/// The request context: Hummingbird's, the peer's address (for `X-Forwarded-For`, read only when a request is
/// forwarded), and the token a scope middleware let through.
public struct HerdwatchRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    let channel: any Channel
    /// The bearer token that authorised this request, once `TokenScopeMiddleware` has checked it.
    public var token: AccessToken?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    public var remoteAddress: SocketAddress? { channel.remoteAddress }
}
