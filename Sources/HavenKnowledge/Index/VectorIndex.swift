import Foundation
import Synchronization

/// The passages' embeddings in memory, searched by an approximate nearest-neighbour index
/// (``HNSWIndex``: an HNSW graph over int8-quantised vectors, re-ranked exactly): vectors are
/// unit length, so cosine is a dot product. Loaded from the catalog at start (or from the index
/// file that the last run left, when it holds exactly the catalog's passages) and kept in step
/// with the catalog by the indexer.
///
/// The permission filter decides which passages can be results before anything is returned: a
/// search scans the admitted passages when they are a small share (exact, so a principal who
/// may read 1 % loses no recall), and walks the graph with the filter applied to results
/// otherwise (see ``HNSWIndex/search(_:k:ef:strategy:allows:)``).
public final class VectorIndex: Sendable {
    /// Which path each passage belongs to, and each path's passages.
    private struct Paths {
        var pathOf: [Int64: String] = [:]
        var idsByPath: [String: [Int64]] = [:]
        /// The keys of `idsByPath` in byte order, for resolving a filter's prefixes.
        var sorted = SortedPaths()
        var dimension = 0
        /// Counts ``removeAll()`` calls, so a load that began before one is not installed after it.
        var generation = 0
    }

    private let paths = Mutex(Paths())
    /// Created with the first vector (its dimension); replaced by ``removeAll()`` and loads.
    private let graph = Mutex<HNSWIndex?>(nil)
    /// Where the index is saved between runs (``save()``); `nil`: in memory only.
    let file: String?

    /// Removed passages beyond this share of the graph trigger a rebuild without them.
    static let compactionShare = 0.25

    public init(file: String? = nil) {
        self.file = file
    }

    /// Number of vectors held.
    public var count: Int { graph.withLock { $0 }?.count ?? 0 }

    /// Replaces the vectors of `path`. Only the indexer writes, one file at a time.
    public func replace(path: String, ids: [Int64], vectors: [[Float]]) {
        // The path table is updated first and released before the graph is touched, so a search
        // (which reads the table from inside the graph's shared lock) never waits on a writer
        // that waits on the graph. Between the two steps a stale id has no path: not admitted.
        let (removed, added) = paths.withLock { table -> ([Int64], [(Int64, [Float])]) in
            let removed = table.idsByPath.removeValue(forKey: path) ?? []
            for id in removed { table.pathOf[id] = nil }
            table.sorted.remove(path)
            var added: [(Int64, [Float])] = []
            for (id, vector) in zip(ids, vectors) {
                // Passages indexed without a model have no vector; they are found by full text.
                guard !vector.isEmpty else { continue }
                if table.dimension == 0 { table.dimension = vector.count }
                guard vector.count == table.dimension else { continue }
                table.pathOf[id] = path
                table.idsByPath[path, default: []].append(id)
                added.append((id, vector))
            }
            if !added.isEmpty { table.sorted.insert(path) }
            return (removed, added)
        }
        guard let index = graph(dimension: added.first?.1.count) else { return }
        for id in removed { index.remove(id: id) }
        for (id, vector) in added { try? index.insert(id: id, vector: vector) }
        if index.removedCount > 1000, Double(index.removedCount) > Self.compactionShare * Double(index.count) {
            index.compact()
        }
    }

    /// The graph, made for `dimension` if there is none yet.
    private func graph(dimension: Int?) -> HNSWIndex? {
        graph.withLock { graph in
            if graph == nil, let dimension, dimension > 0 { graph = try? HNSWIndex(dimension: dimension) }
            return graph
        }
    }

    /// Forgets every vector; a ``load(_:)`` still running is then discarded when it ends.
    public func removeAll() {
        // Both under the table's lock (the only place besides a load's install that nests the
        // graph's lock inside it), so no load can install between the two.
        paths.withLock { table in
            table = Paths(generation: table.generation + 1)
            graph.withLock { $0 = nil }
        }
    }

    /// Where ``load(_:)`` took the graph from.
    enum LoadSource: Equatable {
        /// The index file saved at the last clean shutdown.
        case savedFile
        /// Built from the vectors (no file, or one that did not hold exactly these passages).
        case rebuilt
        /// Not installed: the loading task was cancelled, or ``removeAll()`` ran meanwhile.
        case abandoned
    }

    /// Loads vectors read from the catalog: from the saved index file when it holds exactly
    /// these passages (same ids, same dimension), otherwise by building the graph anew. Searches
    /// meanwhile see what was there before (at start, nothing: full text alone). A cancelled
    /// task stops the build between batches and installs nothing, and neither does a load that
    /// ``removeAll()`` overtook.
    @discardableResult
    func load(_ rows: [(id: Int64, path: String, vector: [Float])]) -> LoadSource {
        let generation = paths.withLock { $0.generation }
        var table = Paths(generation: generation)
        var live: [(id: Int64, vector: [Float])] = []
        live.reserveCapacity(rows.count)
        for row in rows where !row.vector.isEmpty {
            if table.dimension == 0 { table.dimension = row.vector.count }
            guard row.vector.count == table.dimension, row.vector.allSatisfy(\.isFinite) else { continue }
            table.pathOf[row.id] = row.path
            table.idsByPath[row.path, default: []].append(row.id)
            live.append((row.id, row.vector))
        }
        table.sorted = SortedPaths(table.idsByPath.keys)
        var index: HNSWIndex?
        var source = LoadSource.rebuilt
        if let file, table.dimension > 0, let saved = try? HNSWIndex.load(from: file, dimension: table.dimension),
            saved.count == live.count, live.allSatisfy({ saved.contains(id: $0.id) })
        {
            index = saved
            source = .savedFile
        } else if table.dimension > 0 {
            index = try? HNSWIndex(dimension: table.dimension)
            try? index?.insert(contentsOf: live, cancellable: true)
        }
        let installed = !Task.isCancelled && paths.withLock { current in
            guard current.generation == generation else { return false }
            current = table
            graph.withLock { $0 = index }
            return true
        }
        // The file describes the catalog as it was at the last clean shutdown only: once the
        // index changes it would be stale (and a crash would leave it), so it goes now.
        if let file, installed { try? FileManager.default.removeItem(atPath: file) }
        return installed ? source : .abandoned
    }

    /// Writes the index to its file (atomically), so the next start need not rebuild it: at a
    /// clean shutdown, after the indexer has stopped.
    public func save() throws {
        // No graph: nothing was loaded (a load abandoned at a shutdown during start leaves the
        // file it did not use, which the next start checks against the catalog again) or
        // everything was removed (an installed load already deleted the file).
        guard let file, let index = graph.withLock({ $0 }) else { return }
        if index.removedCount > 0 { index.compact() }
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        try index.write(to: file)
    }

    /// The `limit` ids most similar to `query` among those whose path `allows`, best first.
    public func nearest(to query: [Float], limit: Int, allows: (String) -> Bool) -> [(id: Int64, score: Float)] {
        nearest(to: query, limit: limit) { table in
            var admitted: [Int64] = []
            for (path, ids) in table.idsByPath where allows(path) { admitted += ids }
            return admitted
        }
    }

    /// The `limit` ids most similar to `query` among those `filter` admits, best first. The
    /// owner's search walks the graph unfiltered; for anyone else the filter's prefixes are
    /// resolved to their paths by binary search over the sorted paths (each candidate path
    /// decided once by the filter itself), and their passages, if they are a small share, are
    /// scanned exactly.
    public func nearest(to query: [Float], limit: Int, filter: PathFilter) -> [(id: Int64, score: Float)] {
        guard let prefixes = filter.allowed ?? filter.scopes else {
            guard let index = searchable(query, limit: limit) else { return [] }
            return ((try? index.search(query, k: limit)) ?? []).map { ($0.id, $0.score) }
        }
        return nearest(to: query, limit: limit) { table in
            var admitted: [Int64] = []
            for path in table.sorted.starting(with: prefixes) where filter.allows(path) {
                admitted += table.idsByPath[path] ?? []
            }
            return admitted
        }
    }

    /// Below this share of admitted passages a filtered search scans them instead of walking.
    static let scanShare = 0.05

    /// The graph, if a search for `limit` results of `query` can ask it anything.
    private func searchable(_ query: [Float], limit: Int) -> HNSWIndex? {
        guard limit > 0, let index = graph.withLock({ $0 }), query.count == index.dimension else { return nil }
        return index
    }

    private func nearest(
        to query: [Float], limit: Int, admitted select: (Paths) -> [Int64]
    ) -> [(id: Int64, score: Float)] {
        guard let index = searchable(query, limit: limit) else { return [] }
        // The passages of the admitted paths, if they are few, are scanned exactly (a principal
        // who may read 1 % loses no recall and waits no longer); otherwise the graph is walked
        // with the admitted set as the filter.
        let (admitted, total) = paths.withLock { table in (select(table), table.pathOf.count) }
        if Double(admitted.count) <= Self.scanShare * Double(total) {
            return ((try? index.search(query, k: limit, among: admitted)) ?? []).map { ($0.id, $0.score) }
        }
        let allowed = Set(admitted)
        let matches = try? index.search(query, k: limit, strategy: .graph) { allowed.contains($0) }
        return (matches ?? []).map { ($0.id, $0.score) }
    }

    /// Every vector admitted, best first: the exact answer ``nearest(to:limit:allows:)``
    /// approximates (for measuring its recall).
    public func exactNearest(to query: [Float], limit: Int, allows: (String) -> Bool) -> [(id: Int64, score: Float)] {
        guard let index = searchable(query, limit: limit) else { return [] }
        let candidates = paths.withLock { table in table.pathOf.filter { allows($0.value) }.map(\.key) }
        return ((try? index.exactSearch(query, k: limit, among: candidates)) ?? []).map { ($0.id, $0.score) }
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
