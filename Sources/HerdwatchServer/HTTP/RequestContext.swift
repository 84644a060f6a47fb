public import Access
public import Hummingbird
public import HummingbirdAuth
public import NIOCore

/// The request context: Hummingbird's, the peer's address (for `X-Forwarded-For`, read only when a request is
/// forwarded), who the access middlewares let through, and the workbench's browser session.
public struct HerdwatchRequestContext: RequestContext, RemoteAddressRequestContext, SessionRequestContext {
    public var coreContext: CoreRequestContextStorage
    let channel: any Channel
    /// Who makes this request: set by `PermissionMiddleware` for API calls (a token) and by `WebSignInMiddleware`
    /// for workbench pages (a signed-in person).
    public var principal: Principal?
    /// The bearer token that authorised this request (`principal.token`).
    public var token: AccessToken?
    /// The browser session (workbench pages only; loaded by hummingbird-auth's `SessionMiddleware`).
    public let sessions: SessionContext<WorkbenchSession>

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
        sessions = SessionContext()
    }

    public var remoteAddress: SocketAddress? { channel.remoteAddress }
}
