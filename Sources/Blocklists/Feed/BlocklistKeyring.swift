public import Foundation

/// Our signing keys and what rotation does to them. One key is current; `rotate` makes a new one current and
/// keeps the old one signing beside it for `overlap`, so subscribers pinned to the old key verify every snapshot
/// until their admins add the new key (each snapshot carries a signature by every key still valid).
public struct BlocklistKeyring: Sendable, Hashable {
    /// Newest first.
    public var keys: [BlocklistSigningKey]

    public init(_ keys: [BlocklistSigningKey]) {
        self.keys = keys.sorted { ($0.validFrom, $0.id) > ($1.validFrom, $1.id) }
    }

    /// The key that signs first: the newest one without an end.
    public var current: BlocklistSigningKey? {
        keys.first { $0.validUntil == nil }
    }

    /// The keys that sign at `now`: the current one first, then those still in their overlap.
    public func signing(at now: Date) -> [BlocklistSigningKey] {
        keys.filter { $0.isValid(at: now) && $0.validFrom <= now }
    }

    /// A new current key; the previous current one signs until `now + overlap`. Returns the keys that changed
    /// (the new one first).
    public mutating func rotate(now: Date, overlap: TimeInterval) -> [BlocklistSigningKey] {
        var changed = [BlocklistSigningKey.generate(now: now)]
        for index in keys.indices where keys[index].validUntil == nil {
            keys[index].validUntil = now.addingTimeInterval(overlap)
            changed.append(keys[index])
        }
        self = BlocklistKeyring(keys + [changed[0]])
        return changed
    }
}
