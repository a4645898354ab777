import Synchronization

/// The passages' embeddings in memory, for exact (brute-force) cosine search: vectors are unit
/// length, so cosine is a dot product. Loaded from the catalog at start and kept in step with
/// it by the indexer.
public final class VectorIndex: Sendable {
    private struct Entry {
        let path: String
        let vector: [Float]
    }

    private struct Storage {
        var entries: [Int64: Entry] = [:]
        var idsByPath: [String: [Int64]] = [:]
    }

    private let storage = Mutex(Storage())

    public init() {}

    /// Number of vectors held.
    public var count: Int { storage.withLock { $0.entries.count } }

    /// Replaces the vectors of `path`.
    public func replace(path: String, ids: [Int64], vectors: [[Float]]) {
        storage.withLock { storage in
            for id in storage.idsByPath.removeValue(forKey: path) ?? [] { storage.entries[id] = nil }
            for (id, vector) in zip(ids, vectors) { storage.entries[id] = Entry(path: path, vector: vector) }
            if !ids.isEmpty { storage.idsByPath[path] = ids }
        }
    }

    /// Forgets every vector.
    public func removeAll() {
        storage.withLock { $0 = Storage() }
    }

    /// Loads vectors read from the catalog.
    func load(_ rows: [(id: Int64, path: String, vector: [Float])]) {
        storage.withLock { storage in
            storage = Storage()
            for row in rows {
                storage.entries[row.id] = Entry(path: row.path, vector: row.vector)
                storage.idsByPath[row.path, default: []].append(row.id)
            }
        }
    }

    /// The `limit` ids most similar to `query` among those whose path `allows`, best first.
    public func nearest(to query: [Float], limit: Int, allows: (String) -> Bool) -> [(id: Int64, score: Float)] {
        storage.withLock { storage in
            var best: [(id: Int64, score: Float)] = []
            best.reserveCapacity(limit + 1)
            for (id, entry) in storage.entries where entry.vector.count == query.count && allows(entry.path) {
                let score = Self.dot(entry.vector, query)
                if best.count < limit {
                    best.append((id, score))
                    if best.count == limit { best.sort { $0.score > $1.score } }
                } else if score > best[limit - 1].score {
                    best[limit - 1] = (id, score)
                    var index = limit - 1
                    while index > 0, best[index].score > best[index - 1].score {
                        best.swapAt(index, index - 1)
                        index -= 1
                    }
                }
            }
            return best.count < limit ? best.sorted { $0.score > $1.score } : best
        }
    }

    static func dot(_ a: [Float], _ b: [Float]) -> Float {
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                var sum: Float = 0
                for index in 0..<a.count { sum += a[index] * b[index] }
                return sum
            }
        }
    }

    /// `vector` scaled to unit length (a zero vector stays zero).
    public static func normalised(_ vector: [Float]) -> [Float] {
        let norm = dot(vector, vector).squareRoot()
        return norm > 0 ? vector.map { $0 / norm } : vector
    }
}
