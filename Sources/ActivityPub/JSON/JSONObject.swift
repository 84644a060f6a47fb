/// The members of a JSON object, in document order.
///
/// Stored as a list, not a hash table: ActivityPub objects have a few dozen members at most, and a model
/// reads a handful of them, so comparing keys beats hashing every key of every object on the way in. A key
/// given twice keeps its last value, as everywhere else: lookups search from the end, and iteration and
/// `count` see each key once.
public struct JSONObject: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public typealias Element = (key: String, value: JSONValue)

    /// Every member as written, duplicates included.
    private var members: [Element]

    public init() {
        members = []
    }

    /// Members as parsed, duplicates included (the last one wins).
    init(parsed members: [Element]) {
        self.members = members
    }

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        members = elements.map { ($0.0, $0.1) }
    }

    /// The value of `key`; setting nil removes it.
    public subscript(key: String) -> JSONValue? {
        get {
            // Lengths first: most keys differ in length, and comparing two unequal strings is the slow path.
            let length = key.utf8.count
            var index = members.endIndex
            while index > members.startIndex {
                index -= 1
                if members[index].key.utf8.count == length, members[index].key == key { return members[index].value }
            }
            return nil
        }
        set {
            members.removeAll { $0.key == key }
            if let newValue { members.append((key, newValue)) }
        }
    }

    /// The number of distinct keys.
    public var count: Int { unique.count }

    public var isEmpty: Bool { members.isEmpty }

    /// The distinct keys, in the order they first appear.
    public var keys: [String] { unique.map(\.key) }

    /// The members as a dictionary.
    public var dictionary: [String: JSONValue] {
        Dictionary(members.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    public func makeIterator() -> IndexingIterator<[Element]> {
        unique.makeIterator()
    }

    /// Each key once, at its first position, with its last value.
    private var unique: [Element] {
        var positions: [String: Int] = [:]
        var result: [Element] = []
        result.reserveCapacity(members.count)
        for member in members {
            if let position = positions[member.key] {
                result[position].value = member.value
            } else {
                positions[member.key] = result.count
                result.append(member)
            }
        }
        return result
    }

    /// Objects are equal when they have the same keys with equal values, in any order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.dictionary == rhs.dictionary
    }
}
