import Foundation

/// The applied blocks, ready for the inbox path: "is this host, or a domain above it, blocked, and by which
/// entry?" The most specific entry wins (Mastodon's `rule_for`), and our own domain and the excludes win over
/// any block above them. Built once and immutable; a lookup allocates nothing.
///
/// Lookup walks the host's bytes once from the end, hashing as it goes; at every label boundary the hash of that
/// suffix is probed in an open-addressing table. The last hit is the longest matching suffix.
public struct BlockIndex: Sendable {
    /// The active entries, in the order given; `entryIndex(covering:)` indexes into this.
    public let entries: [DomainBlock]
    /// Every indexed domain's bytes, one after another.
    private let names: [UInt8]
    private let slots: [Slot]
    private let mask: Int

    private struct Slot {
        var hash: UInt64
        var start: UInt32
        var length: UInt32
        /// Index into `entries`, `exempt` for our own domain and the excludes, `empty` for a free slot.
        var entry: Int32
    }

    private static let empty: Int32 = -1
    private static let exempt: Int32 = -2

    /// Indexes the active entries of `blocks` (retracted ones are left out). A domain listed twice keeps its
    /// first entry. `policy`'s own domain and excludes are exempt from every block above them.
    public init(_ blocks: [DomainBlock], policy: DomainPolicy = .unrestricted) {
        let active = blocks.filter { $0.state == .active }
        let exemptions = (policy.ownDomain.map { [$0] } ?? []) + policy.excludes
        var capacity = 16
        while capacity < 2 * (active.count + exemptions.count) { capacity *= 2 }
        var slots = [Slot](repeating: Slot(hash: 0, start: 0, length: 0, entry: Self.empty), count: capacity)
        var names: [UInt8] = []
        names.reserveCapacity(active.reduce(0) { $0 + $1.domain.utf8.count })
        var kept: [DomainBlock] = []
        kept.reserveCapacity(active.count)

        func insert(_ domain: String, entry: Int32) -> Bool {
            let bytes = Array(domain.utf8)
            let hash = bytes.withUnsafeBufferPointer { Self.hash(reversed: $0) }
            var position = Int(truncatingIfNeeded: Self.mix(hash)) & (capacity - 1)
            while slots[position].entry != Self.empty {
                let slot = slots[position]
                if slot.hash == hash, Int(slot.length) == bytes.count,
                    names[Int(slot.start)..<Int(slot.start) + Int(slot.length)].elementsEqual(bytes)
                {
                    return false
                }
                position = (position + 1) & (capacity - 1)
            }
            slots[position] = Slot(hash: hash, start: UInt32(names.count), length: UInt32(bytes.count), entry: entry)
            names += bytes
            return true
        }

        for domain in exemptions { _ = insert(domain, entry: Self.exempt) }
        for block in active where insert(block.domain, entry: Int32(kept.count)) {
            kept.append(block)
        }
        self.entries = kept
        self.names = names
        self.slots = slots
        self.mask = capacity - 1
    }

    public var count: Int { entries.count }

    /// The index in `entries` of the most specific entry covering `host` (normalised as `Hostname.normalize`
    /// returns it), or nil when none does or our own domain or an exclude is more specific.
    public func entryIndex(covering host: String) -> Int? {
        if let found = host.utf8.withContiguousStorageIfAvailable({ find($0) }) { return found }
        return Array(host.utf8).withUnsafeBufferPointer { find($0) }
    }

    /// The most specific entry covering `host`; see `entryIndex(covering:)`.
    public func rule(for host: String) -> DomainBlock? {
        entryIndex(covering: host).map { entries[$0] }
    }

    /// The severity of the most specific entry covering `host`; see `entryIndex(covering:)`.
    public func severity(for host: String) -> BlockSeverity? {
        entryIndex(covering: host).map { entries[$0].severity }
    }

    private func find(_ host: UnsafeBufferPointer<UInt8>) -> Int? {
        var best = Self.empty
        var hash = Self.basis
        var position = host.count
        names.withUnsafeBufferPointer { names in
            slots.withUnsafeBufferPointer { slots in
                while position > 0 {
                    position -= 1
                    hash = (hash ^ UInt64(host[position])) &* Self.prime
                    guard position == 0 || host[position - 1] == UInt8(ascii: ".") else { continue }
                    let length = host.count - position
                    var probe = Int(truncatingIfNeeded: Self.mix(hash)) & mask
                    while true {
                        let slot = slots[probe]
                        if slot.entry == Self.empty { break }
                        if slot.hash == hash, Int(slot.length) == length,
                            memcmp(names.baseAddress! + Int(slot.start), host.baseAddress! + position, length) == 0
                        {
                            best = slot.entry
                            break
                        }
                        probe = (probe + 1) & mask
                    }
                }
            }
        }
        return best >= 0 ? Int(best) : nil
    }

    private static let basis: UInt64 = 0xcbf2_9ce4_8422_2325
    private static let prime: UInt64 = 0x100_0000_01b3

    /// FNV-1a over the bytes from last to first, as `find` computes it suffix by suffix.
    private static func hash(reversed bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash = basis
        for byte in bytes.reversed() { hash = (hash ^ UInt64(byte)) &* prime }
        return hash
    }

    /// Spreads FNV's low bits, which alone pick the slot.
    private static func mix(_ hash: UInt64) -> UInt64 {
        var value = hash ^ (hash >> 33)
        value = value &* 0xff51_afd7_ed55_8ccd
        return value ^ (value >> 33)
    }
}
