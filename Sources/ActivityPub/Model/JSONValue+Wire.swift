/// Tolerant readers for ActivityStreams properties, which may be a scalar, an object or an array.
extension JSONValue {
    /// Every value, whether this is one value or an array of them.
    var list: [JSONValue] {
        switch self {
        case .array(let elements): elements
        case .null: []
        default: [self]
        }
    }

    /// A URI given as a string, as an object's `id`/`href`, or as the first of an array.
    var reference: String? {
        switch self {
        case .string(let value): value.isEmpty ? nil : value
        case .object(let members): members["id"]?.stringValue ?? members["href"]?.stringValue
        case .array(let elements): elements.lazy.compactMap(\.reference).first
        default: nil
        }
    }

    /// Every URI in a property that may hold one reference or an array of them.
    var references: [String] { list.compactMap(\.reference) }

    /// The string, or the first string of an array (used for `type`).
    var firstString: String? {
        switch self {
        case .string(let value): value
        case .array(let elements): elements.lazy.compactMap(\.stringValue).first
        default: nil
        }
    }

    var nonEmptyString: String? {
        guard case .string(let value) = self, !value.isEmpty else { return nil }
        return value
    }

    /// ActivityStreams booleans are sometimes sent as strings.
    var looseBool: Bool? {
        switch self {
        case .bool(let value): value
        case .string(let value): value == "true" ? true : (value == "false" ? false : nil)
        default: nil
        }
    }
}
