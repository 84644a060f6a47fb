public import Foundation

/// Counts events in sliding windows of the last minute, hour and day, in little memory.
///
/// Each window is cut into 60 buckets of 1/60 of its length (1 s, 1 min, 24 min), and only buckets that
/// hold events are kept. A count is the sum of the buckets inside the window ending now: exact for events
/// aligned to bucket boundaries, otherwise it may include events up to one bucket older than the window.
public struct WindowedCounter: Sendable, Hashable {
    public enum Window: Int, Sendable, CaseIterable {
        case minute = 60
        case hour = 3_600
        case day = 86_400

        var bucketSeconds: Int64 { Int64(rawValue / 60) }
        var index: UInt8 {
            switch self {
            case .minute: 0
            case .hour: 1
            case .day: 2
            }
        }
    }

    struct Entry: Sendable, Hashable {
        var window: UInt8
        var bucket: Int64
        var count: UInt32
    }

    private(set) var entries: [Entry] = []

    public init() {}

    public mutating func add(_ amount: UInt32 = 1, at date: Date) {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        for window in Window.allCases {
            let bucket = seconds / window.bucketSeconds
            let oldest = bucket - 59
            entries.removeAll { $0.window == window.index && $0.bucket < oldest }
            if let position = entries.firstIndex(where: { $0.window == window.index && $0.bucket == bucket }) {
                entries[position].count &+= amount
            } else {
                entries.append(Entry(window: window.index, bucket: bucket, count: amount))
            }
        }
    }

    /// Adds every event of `other` (another node's counts of the same key, say), dropping buckets that fall out
    /// of their window behind the newest one.
    public mutating func add(_ other: WindowedCounter) {
        guard !other.entries.isEmpty else { return }
        for entry in other.entries {
            if let position = entries.firstIndex(where: { $0.window == entry.window && $0.bucket == entry.bucket }) {
                entries[position].count &+= entry.count
            } else {
                entries.append(entry)
            }
        }
        var newest: [UInt8: Int64] = [:]
        for entry in entries { newest[entry.window] = max(newest[entry.window] ?? .min, entry.bucket) }
        entries.removeAll { $0.bucket < newest[$0.window]! - 59 }
    }

    /// Events in the window ending at `date`.
    public func count(_ window: Window, at date: Date) -> Int {
        let current = Int64(date.timeIntervalSince1970.rounded(.down)) / window.bucketSeconds
        var total = 0
        for entry in entries where entry.window == window.index && entry.bucket > current - 60 && entry.bucket <= current {
            total += Int(entry.count)
        }
        return total
    }

    /// Whether nothing is left in any window at `date`.
    public func isIdle(at date: Date) -> Bool {
        Window.allCases.allSatisfy { count($0, at: date) == 0 }
    }

    /// Whether no event is left in any window at `date` nor at any later date: the counter then reads as an
    /// empty one for good, and a store may forget it.
    public func isExpired(at date: Date) -> Bool {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        return entries.allSatisfy { entry in
            guard let window = Window.allCases.first(where: { $0.index == entry.window }) else { return true }
            return entry.bucket <= seconds / window.bucketSeconds - 60
        }
    }

    /// A compact binary form for storage: 13 bytes per live bucket.
    public var encoded: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(entries.count * 13)
        for entry in entries {
            bytes.append(entry.window)
            withUnsafeBytes(of: entry.bucket.littleEndian) { bytes.append(contentsOf: $0) }
            withUnsafeBytes(of: entry.count.littleEndian) { bytes.append(contentsOf: $0) }
        }
        return bytes
    }

    /// Reads the form `encoded` wrote; malformed input gives an empty counter rather than a crash.
    public init(encoded bytes: [UInt8]) {
        guard bytes.count % 13 == 0 else { return }
        var offset = 0
        while offset < bytes.count {
            let window = bytes[offset]
            var bucket: Int64 = 0
            var count: UInt32 = 0
            for index in 0..<8 { bucket |= Int64(bytes[offset + 1 + index]) << (8 * Int64(index)) }
            for index in 0..<4 { count |= UInt32(bytes[offset + 9 + index]) << (8 * UInt32(index)) }
            if window < 3 { entries.append(Entry(window: window, bucket: bucket, count: count)) }
            offset += 13
        }
    }
}
