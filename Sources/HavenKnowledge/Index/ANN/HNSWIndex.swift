import Foundation
import Synchronization

/// Approximate nearest-neighbour search over passage embeddings that scales to millions of
/// passages: a hierarchical navigable small-world (HNSW) graph over int8-quantised vectors,
/// whose final candidates are re-ranked exactly with the float vectors. Vectors are unit
/// length, so the score is the dot product (cosine).
///
/// A search with a filter (the principal's permission) never returns an id the filter
/// refuses: the filter decides what may be a result, before anything is returned. When the
/// filter admits only a small share of the index, the graph would have to be walked almost
/// whole to find `k` admitted nodes, so those searches scan the admitted vectors instead
/// (see ``FilterStrategy``); either way recall does not depend on how selective it is.
///
/// Removal leaves a tombstone: the node still routes searches but is never returned.
/// ``compact()`` rebuilds the graph without them; call it when ``removedCount`` grows past a
/// fraction of ``count`` (say a fifth). Concurrency: any number of searches run in parallel
/// under a shared lock; inserts and removals take it exclusively, one writer at a time.
public final class HNSWIndex: Sendable {
    /// Graph parameters. The defaults suit 384-dimensional sentence embeddings.
    public struct Parameters: Sendable, Equatable {
        /// Links per node on the upper layers; layer 0 holds twice as many.
        public var m: Int
        /// Candidate list length while inserting: higher builds a better graph, more slowly.
        public var efConstruction: Int
        /// Candidate list length while searching an index of up to 125,000 nodes; a larger index
        /// searches wider (``searchWidth(count:efSearch:)``). Higher is slower and finds more.
        public var efSearch: Int
        /// Seed of the level generator: the same inserts in the same order build the same graph.
        public var seed: UInt64

        public init(m: Int = 16, efConstruction: Int = 128, efSearch: Int = 128, seed: UInt64 = 0x4841_5645_4E41_4E4E) {
            self.m = m
            self.efConstruction = efConstruction
            self.efSearch = efSearch
            self.seed = seed
        }
    }

    /// How a filtered search finds its candidates.
    public enum FilterStrategy: Sendable, Equatable {
        /// Estimate the admitted share from a sample and pick the cheaper of the two.
        case automatic
        /// Walk the graph; refused nodes route the search but are not results.
        case graph
        /// Score every admitted vector (cost ∝ admitted count, plus one filter call per node).
        case scan
    }

    /// One result: a passage id and its exact score (dot product with the query).
    public struct Match: Sendable, Equatable {
        public var id: Int64
        public var score: Float

        public init(id: Int64, score: Float) {
            self.id = id
            self.score = score
        }
    }

    private let state: ReadWriteLocked<HNSWGraph>
    /// Serialises writers, so ``compact()`` and ``write(to:)`` can work on a snapshot outside
    /// the shared lock while searches go on, without an insert changing it underneath.
    private let writer = Mutex(())

    /// An empty index for vectors of `dimension` components.
    public init(dimension: Int, parameters: Parameters = Parameters()) throws(HNSWError) {
        try Self.validate(dimension: dimension, parameters: parameters)
        state = ReadWriteLocked(HNSWGraph(dimension: dimension, parameters: parameters))
    }

    init(graph: HNSWGraph) {
        state = ReadWriteLocked(graph)
    }

    static func validate(dimension: Int, parameters: Parameters) throws(HNSWError) {
        guard (1...65_536).contains(dimension) else {
            throw .invalidParameters(reason: "dimension \(dimension) is outside 1…65536")
        }
        guard (2...256).contains(parameters.m) else { throw .invalidParameters(reason: "m \(parameters.m) is outside 2…256") }
        guard parameters.efConstruction >= 1, parameters.efSearch >= 1 else {
            throw .invalidParameters(reason: "efConstruction and efSearch must be at least 1")
        }
    }

    public var dimension: Int { state.read { $0.vectors.dimension } }
    public var parameters: Parameters { state.read { $0.parameters } }
    /// Number of live (not removed) vectors.
    public var count: Int { state.read { $0.liveCount } }
    /// Number of removed vectors still in the graph as tombstones.
    public var removedCount: Int { state.read { $0.removedCount } }

    public func contains(id: Int64) -> Bool { state.read { $0.slots[id] != nil } }

    /// Adds `vector` (unit length) under `id`, replacing any vector `id` had.
    public func insert(id: Int64, vector: [Float]) throws(HNSWError) {
        let dimension = dimension
        guard vector.count == dimension else { throw .dimensionMismatch(expected: dimension, found: vector.count) }
        guard vector.allSatisfy(\.isFinite) else { throw .nonFiniteVector(id: id) }
        writer.withLock { _ in
            state.write { graph in
                _ = graph.remove(id: id)
                graph.insert(id: id, vector: vector)
            }
        }
    }

    /// Adds many vectors at once (unit length; an id seen before, or twice here, keeps its last
    /// vector) on `threads` threads: the searches for each batch's neighbours run in parallel,
    /// for a bulk build (a rebuild at start, ``compact()``). Searches wait until it is done.
    /// When `cancellable`, a cancelled task stops between batches (the graph then holds the rows
    /// inserted so far: a build to throw away).
    public func insert(
        contentsOf rows: [(id: Int64, vector: [Float])], threads: Int = ProcessInfo.processInfo.activeProcessorCount,
        cancellable: Bool = false
    ) throws(HNSWError) {
        let dimension = dimension
        var last: [Int64: Int] = [:]
        for (index, row) in rows.enumerated() {
            guard row.vector.count == dimension else { throw .dimensionMismatch(expected: dimension, found: row.vector.count) }
            guard row.vector.allSatisfy(\.isFinite) else { throw .nonFiniteVector(id: row.id) }
            last[row.id] = index
        }
        let unique = rows.enumerated().filter { last[$0.element.id] == $0.offset }.map(\.element)
        writer.withLock { _ in
            state.write { graph in
                for row in unique { _ = graph.remove(id: row.id) }
                graph.insert(batch: unique, threads: threads, cancellable: cancellable)
            }
        }
    }

    /// Removes the vector of `id`; false if there was none.
    @discardableResult
    public func remove(id: Int64) -> Bool {
        writer.withLock { _ in state.write { $0.remove(id: id) } }
    }

    /// Rebuilds the graph from the live vectors, dropping tombstones. Searches continue on the
    /// old graph meanwhile (memory peaks at twice the index); writers wait.
    public func compact() {
        writer.withLock { _ in
            let old = state.read { $0 }
            var fresh = HNSWGraph(dimension: old.vectors.dimension, parameters: old.parameters)
            let dimension = old.vectors.dimension
            let live = (0..<old.count).filter { !old.removed[$0] }.map { slot in
                (id: old.ids[slot], vector: Array(old.vectors.floats[slot * dimension..<(slot + 1) * dimension]))
            }
            fresh.insert(batch: live, threads: ProcessInfo.processInfo.activeProcessorCount)
            state.write { $0 = fresh }
        }
    }

    /// The `k` ids most similar to `query` among those `allows` admits, best first, with exact
    /// scores. `ef` (default ``Parameters/efSearch``, at least `k`) trades speed for recall.
    /// `allows` runs under the index's shared lock: it must not call back into the index.
    public func search(
        _ query: [Float], k: Int, ef: Int? = nil, strategy: FilterStrategy = .automatic,
        allows: (Int64) -> Bool = { _ in true }
    ) throws(HNSWError) -> [Match] {
        try state.read { graph throws(HNSWError) in
            let dimension = graph.vectors.dimension
            guard query.count == dimension else { throw .dimensionMismatch(expected: dimension, found: query.count) }
            guard k > 0, graph.liveCount > 0 else { return [] }
            let width = max(ef ?? Self.searchWidth(count: graph.count, efSearch: graph.parameters.efSearch), k)
            let prepared = QuantizedVectors.query(query)
            let admits: (Int32) -> Bool = { slot in !graph.removed[Int(slot)] && allows(graph.ids[Int(slot)]) }
            let candidates: [(score: Float, slot: Int32)]
            switch strategy == .automatic ? Self.choose(graph, ef: width, admits: admits) : strategy {
            case .scan:
                candidates = graph.scan(prepared, slots: 0..<Int32(graph.count), limit: width, admits: admits)
            default:
                candidates = graph.graphSearch(prepared, ef: width, admits: admits)
            }
            return graph.rerank(prepared, candidates, k: k).map { Match(id: $0.id, score: $0.score) }
        }
    }

    /// The candidate list length of a search over `count` nodes: `efSearch` up to 125,000
    /// nodes, `efSearch` × log₂(`count` / 62,500) past that (the two meet there). With a fixed width, recall falls as the graph grows:
    /// on the knowledge bench's clustered 384-dimensional vectors at 1,000,000 nodes, recall@10
    /// is 0.83 at width 128, 0.93 at 256, 0.96 at 384 and 0.97 at 512 (1.6 ms median), while
    /// at 100,000 it is 1.00 from width 64. So 128 up to 125,000 nodes, 512 at a million, 935
    /// at ten million.
    public static func searchWidth(count: Int, efSearch: Int) -> Int {
        guard count > 125_000 else { return efSearch }
        return Int((Double(efSearch) * log2(Double(count) / 62_500)).rounded())
    }

    /// The `k` ids of `candidates` (e.g. the passages a principal may read, from the catalog)
    /// most similar to `query`, best first: a scan of just those vectors, so its cost is the
    /// size of the set and its recall does not depend on the graph. Unknown and removed ids
    /// are skipped.
    public func search(_ query: [Float], k: Int, among candidates: some Sequence<Int64>) throws(HNSWError) -> [Match] {
        try search(query, k: k, among: candidates) { graph, prepared, slots in
            graph.scan(prepared, slots: slots, limit: max(k, graph.parameters.efSearch), admits: { _ in true })
        }
    }

    /// The true `k` nearest of `candidates` by their float vectors, best first: a full float
    /// scan with no quantisation anywhere, the ground truth recall is measured against.
    public func exactSearch(_ query: [Float], k: Int, among candidates: some Sequence<Int64>) throws(HNSWError) -> [Match] {
        try search(query, k: k, among: candidates) { graph, prepared, slots in
            var best = ScoredHeap(capacity: k + 1)  // negated scores: top is the worst kept
            for slot in slots {
                let score = graph.vectors.exactScore(prepared, slot)
                guard best.count < k || score > -best.top!.score else { continue }
                best.push(-score, slot)
                if best.count > k { best.pop() }
            }
            return best.items.map { (-$0.score, $0.slot) }
        }
    }

    /// The candidates' slots (a set: an id listed twice is not returned twice; unknown and
    /// removed ids are left out), narrowed by `choose` and re-ranked exactly, under the shared lock.
    private func search(
        _ query: [Float], k: Int, among candidates: some Sequence<Int64>,
        choose: (HNSWGraph, QuantizedVectors.Query, Set<Int32>) -> [(score: Float, slot: Int32)]
    ) throws(HNSWError) -> [Match] {
        try state.read { graph throws(HNSWError) in
            let dimension = graph.vectors.dimension
            guard query.count == dimension else { throw .dimensionMismatch(expected: dimension, found: query.count) }
            guard k > 0 else { return [] }
            let prepared = QuantizedVectors.query(query)
            let slots = Set(candidates.lazy.compactMap { graph.slots[$0] })
            return graph.rerank(prepared, choose(graph, prepared, slots), k: k).map { Match(id: $0.id, score: $0.score) }
        }
    }

    /// Below this admitted share a filtered search always scans: exact whatever the data, and
    /// cheap (1% of a million passages is 10,000 vectors).
    static let scanBelowShare = 0.02

    /// Scan or walk the graph, from the admitted share `f` estimated on up to 512 evenly spread
    /// nodes and a cost model in units of one quantised dot product, fitted on 100,000 × 384
    /// clustered vectors: a scan makes `n` filter calls (≈ ¼ dot each) and `f·n` dots; the walk
    /// expands about `ef / f` nodes at ≈ 24 dots each (2m links, half already seen, random reads).
    static func choose(_ graph: HNSWGraph, ef: Int, admits: (Int32) -> Bool) -> FilterStrategy {
        let samples = min(512, graph.count)
        let step = Double(graph.count) / Double(samples)
        var admitted = 0
        for index in 0..<samples where admits(Int32(Double(index) * step)) { admitted += 1 }
        let count = Double(graph.count)
        let share = max(Double(admitted) / Double(samples), 1 / count)
        if share <= scanBelowShare { return .scan }
        let scanCost = count / 4 + share * count
        let graphCost = Double(ef) / share * 24
        return scanCost <= graphCost ? .scan : .graph
    }

    /// Writes the index to `path` atomically (a temporary file, fsynced, then renamed).
    public func write(to path: String) throws(HNSWError) {
        try writer.withLock { _ throws(HNSWError) in
            // No writer can change the snapshot while `writer` is held, so it is not copied.
            let snapshot = state.read { $0 }
            try HNSWIndexFile.write(snapshot, to: path)
        }
    }

    /// Reads an index written by ``write(to:)``. Throws if the file is damaged, of another
    /// format version or of a dimension other than `dimension`: rebuild from the catalog then.
    public static func load(from path: String, dimension: Int) throws(HNSWError) -> HNSWIndex {
        HNSWIndex(graph: try HNSWIndexFile.read(from: path, dimension: dimension))
    }
}
