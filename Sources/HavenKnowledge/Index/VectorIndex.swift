import Synchronization

/// The passages' embeddings in memory, for exact (brute-force) cosine search: vectors are unit
/// length, so cosine is a dot product. They sit in one contiguous buffer, scanned in order.
/// Loaded from the catalog at start and kept in step with it by the indexer.
public final class VectorIndex: Sendable {
    private struct Storage {
        /// `ids.count × dimension` floats, row by row.
        var vectors: [Float] = []
        var ids: [Int64] = []
        var paths: [String] = []
        var row: [Int64: Int] = [:]
        var idsByPath: [String: [Int64]] = [:]
        var dimension = 0

        mutating func insert(id: Int64, path: String, vector: [Float]) {
            // Passages indexed without a model have no vector; they are found by full text.
            guard !vector.isEmpty else { return }
            if ids.isEmpty { dimension = vector.count }
            guard vector.count == dimension else { return }
            row[id] = ids.count
            ids.append(id)
            paths.append(path)
            vectors.append(contentsOf: vector)
            idsByPath[path, default: []].append(id)
        }

        /// Removes a row by moving the last one into its place.
        mutating func remove(id: Int64) {
            guard let index = row.removeValue(forKey: id) else { return }
            let last = ids.count - 1
            if index != last {
                ids[index] = ids[last]
                paths[index] = paths[last]
                row[ids[index]] = index
                vectors.withUnsafeMutableBufferPointer { buffer in
                    for component in 0..<dimension {
                        buffer[index * dimension + component] = buffer[last * dimension + component]
                    }
                }
            }
            ids.removeLast()
            paths.removeLast()
            vectors.removeLast(dimension)
        }
    }

    private let storage = Mutex(Storage())

    public init() {}

    /// Number of vectors held.
    public var count: Int { storage.withLock { $0.ids.count } }

    /// Replaces the vectors of `path`.
    public func replace(path: String, ids: [Int64], vectors: [[Float]]) {
        storage.withLock { storage in
            for id in storage.idsByPath.removeValue(forKey: path) ?? [] { storage.remove(id: id) }
            for (id, vector) in zip(ids, vectors) { storage.insert(id: id, path: path, vector: vector) }
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
            for row in rows { storage.insert(id: row.id, path: row.path, vector: row.vector) }
        }
    }

    /// The `limit` ids most similar to `query` among those whose path `allows`, best first.
    public func nearest(to query: [Float], limit: Int, allows: (String) -> Bool) -> [(id: Int64, score: Float)] {
        guard limit > 0 else { return [] }
        return storage.withLock { storage in
            let dimension = storage.dimension
            guard query.count == dimension, dimension > 0 else { return [] }
            var best: [(id: Int64, score: Float)] = []
            best.reserveCapacity(limit + 1)
            // Paths repeat (a file has several passages): decide each once.
            var admitted: [String: Bool] = [:]
            storage.vectors.withUnsafeBufferPointer { vectors in
                query.withUnsafeBufferPointer { query in
                    for index in 0..<storage.ids.count {
                        let path = storage.paths[index]
                        let allowed = admitted[path] ?? {
                            let decision = allows(path)
                            admitted[path] = decision
                            return decision
                        }()
                        guard allowed else { continue }
                        let row = vectors.baseAddress! + index * dimension
                        var score: Float = 0
                        for component in 0..<dimension { score += row[component] * query[component] }
                        if best.count < limit {
                            best.append((storage.ids[index], score))
                            if best.count == limit { best.sort { $0.score > $1.score } }
                        } else if score > best[limit - 1].score {
                            var position = limit - 1
                            best[position] = (storage.ids[index], score)
                            while position > 0, best[position].score > best[position - 1].score {
                                best.swapAt(position, position - 1)
                                position -= 1
                            }
                        }
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
                for index in 0..<min(a.count, b.count) { sum += a[index] * b[index] }
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
