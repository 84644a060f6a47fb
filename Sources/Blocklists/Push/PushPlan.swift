/// What pushing our applied list to a Mastodon server changes there, computed from the list and the server's
/// current blocks without touching either.
///
/// Herdwatch owns the remote blocks whose private comment carries `PushMarker`: those it updates to match our
/// entries and deletes when our entry is retracted or gone. A block someone else made is never changed: when it
/// acts differently from ours the plan reports a conflict. Requests run deletes first, then updates, then creates
/// (parents before subdomains), the order the plan's checks of Mastodon's rules assume.
public struct PushPlan: Sendable {
    /// A block to `POST`.
    public struct Create: Sendable, Hashable {
        public var domain: String
        public var settings: RemoteBlockSettings
    }

    /// An owned block to `PUT`.
    public struct Update: Sendable, Hashable {
        public var remote: RemoteDomainBlock
        public var settings: RemoteBlockSettings
        /// Normalised.
        public var domain: String

        /// Whether the update suspends a domain the server did not suspend (severs its follows).
        public var escalatesToSuspend: Bool {
            settings.severity == .suspend && remote.settings.severity != .suspend
        }
    }

    /// An owned block to `DELETE`.
    public struct Delete: Sendable, Hashable {
        public enum Reason: String, Sendable, Hashable {
            /// Our entry is retracted.
            case retracted
            /// We have no entry for the domain any more.
            case unlisted
        }

        public var remote: RemoteDomainBlock
        public var domain: String
        public var reason: Reason
    }

    /// A domain where the server has a block we do not own, or a rule of the server's that stops ours.
    public struct Conflict: Sendable, Hashable {
        public enum Kind: Sendable, Hashable {
            /// Someone else's block on the domain limits more than ours.
            case stricter
            /// Someone else's block on the domain limits less than ours.
            case milder
            /// Someone else's block has the same severity and other flags (each limits something the other does
            /// not).
            case otherFlags
            /// We retracted the domain, but the server's block on it is not ours to delete.
            case retractedButNotOwned
            /// A block on the named parent domain limits at least as much as ours; Mastodon refuses a milder
            /// block under it (422).
            case coveredByParent(String)
        }

        public var domain: String
        public var kind: Kind
        /// What we would push; nil for a retraction.
        public var ours: RemoteBlockSettings?
        /// The server's block on the domain, or on the parent for `coveredByParent`.
        public var remote: RemoteDomainBlock
    }

    public private(set) var creates: [Create] = []
    public private(set) var updates: [Update] = []
    public private(set) var deletes: [Delete] = []
    public private(set) var conflicts: [Conflict] = []
    /// Domains whose owned block already matches our entry.
    public private(set) var unchanged: [String] = []
    /// Domains someone else blocks on the server exactly as we do (left as they are).
    public private(set) var matchingOthers: [String] = []

    public var isEmpty: Bool { creates.isEmpty && updates.isEmpty && deletes.isEmpty }

    /// The plan that makes `remote` carry `applied` (every entry, active and retracted), with blocks carrying
    /// `marker` counted as ours. Results are sorted by domain.
    public init(applied: [DomainBlock], remote: [RemoteDomainBlock], marker: PushMarker = .standard) {
        var remoteByDomain: [String: RemoteDomainBlock] = [:]
        for block in remote { remoteByDomain[Self.normalized(block.domain)] = block }
        let ours = Dictionary(applied.map { ($0.domain, $0) }, uniquingKeysWith: { first, _ in first })

        var wanted: [(domain: String, settings: RemoteBlockSettings)] = []
        for block in applied.sorted(by: { $0.domain < $1.domain }) {
            let existing = remoteByDomain[block.domain]
            let owned = existing.map { marker.marks($0.settings.privateComment) } ?? false
            switch (block.state, existing) {
            case (.retracted, nil):
                continue
            case (.retracted, let remote?):
                if owned {
                    deletes.append(Delete(remote: remote, domain: block.domain, reason: .retracted))
                } else {
                    conflicts.append(
                        Conflict(domain: block.domain, kind: .retractedButNotOwned, ours: nil, remote: remote))
                }
            case (.active, nil):
                wanted.append((block.domain, RemoteBlockSettings(pushing: block, marker: marker)))
            case (.active, let remote?):
                let settings = RemoteBlockSettings(pushing: block, marker: marker)
                if owned {
                    if remote.settings == settings {
                        unchanged.append(block.domain)
                    } else {
                        updates.append(Update(remote: remote, settings: settings, domain: block.domain))
                    }
                } else if remote.settings.hasSamePolicy(as: settings) {
                    matchingOthers.append(block.domain)
                } else {
                    conflicts.append(
                        Conflict(
                            domain: block.domain, kind: Self.comparison(of: remote.settings, with: settings),
                            ours: settings, remote: remote))
                }
            }
        }
        for (domain, remote) in remoteByDomain.sorted(by: { $0.key < $1.key })
        where ours[domain] == nil && marker.marks(remote.settings.privateComment) {
            deletes.append(Delete(remote: remote, domain: domain, reason: .unlisted))
        }
        deletes.sort { $0.domain < $1.domain }

        // The server's blocks once deletes and updates are done, to check each create against Mastodon's rule
        // that a block under a parent block must be stricter than it.
        var effective = remoteByDomain.mapValues { (block: $0, settings: $0.settings) }
        for delete in deletes { effective[delete.domain] = nil }
        for update in updates { effective[update.domain]?.settings = update.settings }
        let parentsFirst = wanted.sorted {
            ($0.domain.split(separator: ".").count, $0.domain) < ($1.domain.split(separator: ".").count, $1.domain)
        }
        for (domain, settings) in parentsFirst {
            if let parent = Self.closestParent(of: domain, in: effective), !settings.isStricter(than: parent.settings) {
                conflicts.append(
                    Conflict(
                        domain: domain, kind: .coveredByParent(Self.normalized(parent.block.domain)), ours: settings,
                        remote: parent.block))
                continue
            }
            let planned = RemoteDomainBlock(id: "", domain: domain, settings: settings)
            effective[domain] = (planned, settings)
            creates.append(Create(domain: domain, settings: settings))
        }
        creates.sort { $0.domain < $1.domain }
        conflicts.sort { $0.domain < $1.domain }
    }

    /// The server's domain in our normal form; as given (lower-cased) when it is not one we could block.
    static func normalized(_ domain: String) -> String {
        (try? BlockDomain.normalize(domain)) ?? domain.lowercased()
    }

    private static func comparison(of remote: RemoteBlockSettings, with ours: RemoteBlockSettings) -> Conflict.Kind {
        if remote.severity != ours.severity { return remote.severity > ours.severity ? .stricter : .milder }
        let remoteOnly = (remote.rejectMedia && !ours.rejectMedia) || (remote.rejectReports && !ours.rejectReports)
        let oursOnly = (ours.rejectMedia && !remote.rejectMedia) || (ours.rejectReports && !remote.rejectReports)
        switch (remoteOnly, oursOnly) {
        case (true, false): return .stricter
        case (false, true): return .milder
        default: return .otherFlags
        }
    }

    /// The block on the nearest domain above `domain`, as Mastodon's `rule_for` finds it.
    private static func closestParent(
        of domain: String, in blocks: [String: (block: RemoteDomainBlock, settings: RemoteBlockSettings)]
    ) -> (block: RemoteDomainBlock, settings: RemoteBlockSettings)? {
        var rest = Substring(domain)
        while let dot = rest.firstIndex(of: ".") {
            rest = rest[rest.index(after: dot)...]
            if let found = blocks[String(rest)] { return found }
        }
        return nil
    }
}
