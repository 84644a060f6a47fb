public import Foundation
import Synchronization

/// Counts failed sign-ins by username and by address, in memory: after `limitPerUsername` failures for one
/// username, or `limitPerAddress` from one address, within `window` (counted from the first failure), sign-ins
/// for it are refused until that window ends.
///
/// An attempt counts as a failure from the moment it is let through (`attempt`), so sign-ins sent all at once
/// cannot all pass before the first is judged; `succeeded` then clears the username's count and takes the attempt
/// back from the address's. Callers pass an IPv6 client's /64 prefix as its address, since one client holds all
/// of it.
///
/// Bounded: each table keeps at most `capacity` keys. When one is full, windows that ended are dropped first, then
/// the oldest window; so a flood of new names or addresses can make the throttle forget its oldest entries early,
/// never grow without bound.
public final class SignInThrottle: Sendable {
    public let limitPerUsername: Int
    public let limitPerAddress: Int
    public let window: TimeInterval
    public let capacity: Int

    private struct Entry {
        var start: Date
        var failures: Int
    }

    private struct State {
        var usernames: [String: Entry] = [:]
        var addresses: [String: Entry] = [:]
    }

    private let state = Mutex(State())

    public init(
        limitPerUsername: Int = 5, limitPerAddress: Int = 20, window: TimeInterval = 15 * 60, capacity: Int = 10_000
    ) {
        self.limitPerUsername = limitPerUsername
        self.limitPerAddress = limitPerAddress
        self.window = window
        self.capacity = max(1, capacity)
    }

    /// Nil when `username` may try now from `address`, and the attempt is counted as a failure until `succeeded`
    /// says otherwise; else how many seconds to wait, and nothing is counted.
    public func attempt(username: String, address: String, now: Date) -> TimeInterval? {
        state.withLock { state in
            let waits = [
                wait(state.usernames[Self.key(username)], limit: limitPerUsername, now: now),
                wait(state.addresses[address], limit: limitPerAddress, now: now),
            ]
            if let longest = waits.compactMap({ $0 }).max() { return longest }
            count(in: &state.usernames, Self.key(username), now: now)
            count(in: &state.addresses, address, now: now)
            return nil
        }
    }

    /// The attempt `attempt` let through was not a failure: forgets the username's failures and takes the attempt
    /// back from the address's.
    public func succeeded(username: String, address: String) {
        state.withLock { state in
            state.usernames.removeValue(forKey: Self.key(username))
            if var entry = state.addresses[address], entry.failures > 0 {
                entry.failures -= 1
                state.addresses[address] = entry
            }
        }
    }

    /// How many usernames and addresses are remembered (for tests of the bound).
    public var counts: (usernames: Int, addresses: Int) {
        state.withLock { ($0.usernames.count, $0.addresses.count) }
    }

    /// Usernames count alike whatever their case, so `Alice` and `alice` share one limit.
    private static func key(_ username: String) -> String { username.lowercased() }

    private func wait(_ entry: Entry?, limit: Int, now: Date) -> TimeInterval? {
        guard let entry, entry.failures >= limit else { return nil }
        let left = entry.start.addingTimeInterval(window).timeIntervalSince(now)
        return left > 0 ? left : nil
    }

    private func count(in table: inout [String: Entry], _ key: String, now: Date) {
        if var entry = table[key], now.timeIntervalSince(entry.start) < window {
            entry.failures += 1
            table[key] = entry
            return
        }
        if table[key] == nil, table.count >= capacity {
            table = table.filter { now.timeIntervalSince($0.value.start) < window }
            if table.count >= capacity, let oldest = table.min(by: { $0.value.start < $1.value.start }) {
                table.removeValue(forKey: oldest.key)
            }
        }
        table[key] = Entry(start: now, failures: 1)
    }
}
