/// What a bulk decision would cover, shown before it is confirmed: how many cases, actors and domains, with a
/// sample of each, and each case's version for the decision to carry.
public struct BulkPreview: Sendable, Hashable, Codable {
    public struct Item: Sendable, Hashable, Codable {
        public var id: Int64
        public var version: Int
    }

    public var cases: [Item]
    public var actors: Int
    public var domains: Int
    public var sampleCases: [Int64]
    public var sampleActors: [String]
    public var sampleDomains: [String]

    /// The preview of `cases` (in the order given), with up to `sampleSize` of each kind.
    public init(_ cases: [ReviewCase], sampleSize: Int = 5) {
        self.cases = cases.map { Item(id: $0.id, version: $0.version) }
        var actors: [String] = []
        var domains: [String] = []
        for reviewCase in cases {
            if let actor = reviewCase.subjectActor, !actors.contains(actor) { actors.append(actor) }
            if let host = reviewCase.host, !domains.contains(host) { domains.append(host) }
        }
        self.actors = actors.count
        self.domains = domains.count
        sampleCases = cases.prefix(sampleSize).map(\.id)
        sampleActors = Array(actors.prefix(sampleSize))
        sampleDomains = Array(domains.prefix(sampleSize))
    }
}
