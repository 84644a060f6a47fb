/// A least-recently-used cache bounded by the bytes its values take, as the caller counts them.
///
/// Not thread-safe: keep it behind a lock. Every operation is O(1) (a hash lookup and list relinking).
struct ByteBoundedCache<Value> {
    private struct Node {
        var value: Value
        var bytes: Int
        /// Neighbours in recency order, by key.
        var older: String?
        var newer: String?
    }

    let capacity: Int
    private var nodes: [String: Node] = [:]
    private var newest: String?
    private var oldest: String?
    private(set) var totalBytes = 0

    init(capacity: Int) {
        self.capacity = capacity
    }

    var count: Int { nodes.count }

    /// The value for `key`, which becomes the most recently used.
    mutating func value(for key: String) -> Value? {
        guard let node = nodes[key] else { return nil }
        unlink(key, node)
        link(key, node)
        return node.value
    }

    /// Stores `value` as the most recently used, then evicts the least recently used entries until the total
    /// fits. A value larger than the whole capacity is not kept (and any older value for `key` goes).
    mutating func set(_ value: Value, bytes: Int, for key: String) {
        remove(key)
        guard bytes <= capacity else { return }
        link(key, Node(value: value, bytes: bytes))
        while totalBytes > capacity, let victim = oldest {
            remove(victim)
        }
    }

    mutating func remove(_ key: String) {
        guard let node = nodes[key] else { return }
        unlink(key, node)
    }

    private mutating func link(_ key: String, _ node: Node) {
        var node = node
        node.older = newest
        node.newer = nil
        if let previous = newest { nodes[previous]?.newer = key }
        newest = key
        if oldest == nil { oldest = key }
        nodes[key] = node
        totalBytes += node.bytes
    }

    private mutating func unlink(_ key: String, _ node: Node) {
        if let older = node.older { nodes[older]?.newer = node.newer } else { oldest = node.newer }
        if let newer = node.newer { nodes[newer]?.older = node.older } else { newest = node.older }
        nodes[key] = nil
        totalBytes -= node.bytes
    }
}
