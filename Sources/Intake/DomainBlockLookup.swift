public import Blocklists

/// What the applied domain blocks say about a sender's host, read by the assessment before any rule runs. The
/// server's `AppliedBlocklist` answers from a `BlockIndex`; a lookup must not wait on anything (it runs on the
/// hot path, under a microsecond).
public protocol DomainBlockLookup: Sendable {
    /// The most specific applied block covering `host` (normalised, lower case), and whether a subscribed list
    /// that is not applied names it.
    func status(of host: String) -> DomainBlockStatus
}

public struct DomainBlockStatus: Sendable {
    /// The applied entry covering the host, nil when none does.
    public var block: DomainBlock?
    /// A subscribed list that is not applied names the host (`domain.peer_listed`).
    public var peerListed: Bool

    public init(block: DomainBlock?, peerListed: Bool) {
        self.block = block
        self.peerListed = peerListed
    }

    public static let clear = DomainBlockStatus(block: nil, peerListed: false)
}
