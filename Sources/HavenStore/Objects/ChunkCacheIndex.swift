/// Which chunks a ``ChunkCache`` holds, their sizes, and the order they were last used in: the
/// cache's eviction policy as a pure value (least recently used first, within a byte bound).
///
/// Every operation is O(1): a dictionary of nodes linked from the least to the most recently
/// used. ``admit(_:size:)`` returns the chunks to evict so the total stays within ``capacity``;
/// the caller deletes their files.
struct ChunkCacheIndex: Sendable, Equatable {
    private struct Node: Sendable, Equatable {
        var size: Int64
        var older: ContentID?
        var newer: ContentID?
    }

    /// The most bytes the cached chunks may take together.
    let capacity: Int64
    /// The bytes the cached chunks take now.
    private(set) var totalBytes: Int64 = 0
    private var nodes: [ContentID: Node] = [:]
    private var oldest: ContentID?
    private var newest: ContentID?

    init(capacity: Int64) {
        self.capacity = max(0, capacity)
    }

    var count: Int { nodes.count }

    func contains(_ id: ContentID) -> Bool { nodes[id] != nil }

    /// The cached chunks, least recently used first.
    var leastRecentlyUsedFirst: [ContentID] {
        var ids: [ContentID] = []
        var cursor = oldest
        while let id = cursor {
            ids.append(id)
            cursor = nodes[id]?.newer
        }
        return ids
    }

    /// Marks a chunk as just used; `false` when it is not cached.
    mutating func touch(_ id: ContentID) -> Bool {
        guard let node = nodes[id] else { return false }
        unlink(id, node)
        append(id, size: node.size)
        return true
    }

    /// Records a chunk of `size` bytes as cached and most recently used (replacing any entry
    /// for it), evicting the least recently used until the total fits the capacity.
    ///
    /// - Returns: whether the chunk was admitted (one larger than the whole capacity is not),
    ///   and the chunks evicted to make room, whose files the caller must delete.
    mutating func admit(_ id: ContentID, size: Int64) -> (admitted: Bool, evicted: [ContentID]) {
        if let node = nodes[id] { unlink(id, node) }
        guard size <= capacity else { return (false, []) }
        var evicted: [ContentID] = []
        while totalBytes + size > capacity, let victim = oldest {
            unlink(victim, nodes[victim]!)
            evicted.append(victim)
        }
        append(id, size: size)
        return (true, evicted)
    }

    /// Forgets a chunk; `false` when it was not cached.
    @discardableResult
    mutating func remove(_ id: ContentID) -> Bool {
        guard let node = nodes[id] else { return false }
        unlink(id, node)
        return true
    }

    private mutating func unlink(_ id: ContentID, _ node: Node) {
        if let older = node.older { nodes[older]!.newer = node.newer } else { oldest = node.newer }
        if let newer = node.newer { nodes[newer]!.older = node.older } else { newest = node.older }
        nodes[id] = nil
        totalBytes -= node.size
    }

    private mutating func append(_ id: ContentID, size: Int64) {
        nodes[id] = Node(size: size, older: newest, newer: nil)
        if let newest { nodes[newest]!.newer = id } else { oldest = id }
        newest = id
        totalBytes += size
    }
}
