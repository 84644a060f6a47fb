/// A value a field condition compares: a subject field or a signal.
public enum FieldValue: Sendable, Hashable, CustomStringConvertible {
    case number(Double)
    case string(String)
    case bool(Bool)
    case list([String])

    public var description: String {
        switch self {
        case .number(let number):
            number == number.rounded() && abs(number) < 1e15
                ? String(Int(number)) : String((number * 100).rounded() / 100)
        case .string(let string): string
        case .bool(let bool): String(bool)
        case .list(let items): "[" + items.joined(separator: ", ") + "]"
        }
    }

    var number: Double? {
        switch self {
        case .number(let number): number
        case .bool(let bool): bool ? 1 : 0
        case .list(let items): Double(items.count)
        case .string: nil
        }
    }

    /// Whether this value equals `other`, comparing case-insensitively for strings.
    func equals(_ other: FieldValue) -> Bool {
        switch (self, other) {
        case (.string(let a), .string(let b)): a.lowercased() == b.lowercased()
        case (.list(let items), .string(let b)): items.contains { $0.lowercased() == b.lowercased() }
        case (.bool(let a), .bool(let b)): a == b
        case (.number(let a), _): other.number == a
        case (.bool(let a), .number(let b)): (a ? 1 : 0) == b
        default: false
        }
    }
}
