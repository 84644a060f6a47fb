public import Access
public import Hummingbird
public import NIOCore

/// The request context: Hummingbird's, the peer's address (for `X-Forwarded-For`, read only when a request is
/// forwarded), and who `PermissionMiddleware` let through.
public struct HerdwatchRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    let channel: any Channel
    /// Who makes this request, once `PermissionMiddleware` has let it through.
    public var principal: Principal?
    /// The bearer token that authorised this request (`principal.token`).
    public var token: AccessToken?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    public var remoteAddress: SocketAddress? { channel.remoteAddress }
}
