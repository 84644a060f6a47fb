public import Foundation

/// A count whose weight halves every `halfLife`: recent evidence counts more, old evidence fades.
public struct DecayingCount: Sendable, Hashable, Codable {
    public var value: Double
    public var updatedAt: Date

    public init(value: Double = 0, updatedAt: Date = Date(timeIntervalSince1970: 0)) {
        self.value = value
        self.updatedAt = updatedAt
    }

    /// The value as of `date`.
    public func value(at date: Date, halfLife: TimeInterval) -> Double {
        guard value != 0, halfLife > 0 else { return value }
        let elapsed = max(0, date.timeIntervalSince(updatedAt))
        return value * pow(0.5, elapsed / halfLife)
    }

    /// Adds `amount` at `date`, decaying what was there first.
    public mutating func add(_ amount: Double, at date: Date, halfLife: TimeInterval) {
        value = value(at: date, halfLife: halfLife) + amount
        updatedAt = max(updatedAt, date)
    }
}
