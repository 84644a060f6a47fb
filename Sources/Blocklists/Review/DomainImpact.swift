/// What a block on a domain would touch here: the actors we have seen from it (or its subdomains) and the cases
/// their deliveries opened.
public struct DomainImpact: Sendable, Hashable, Codable {
    public var actors: Int
    public var heldCases: Int
    public var flaggedCases: Int

    public init(actors: Int = 0, heldCases: Int = 0, flaggedCases: Int = 0) {
        self.actors = actors
        self.heldCases = heldCases
        self.flaggedCases = flaggedCases
    }
}

/// Counts impact from what the server has recorded (reputation, the case store); the server implements it.
public protocol DomainImpactSource: Sendable {
    /// The impact of each of `domains` (normalised), covering its subdomains; domains with nothing seen may be
    /// left out.
    func impact(of domains: [String]) async throws -> [String: DomainImpact]
}
