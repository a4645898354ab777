import Foundation

/// The state of an ``HNSWIndex`` and its algorithms (Malkov & Yashunin, "Efficient and robust
/// approximate nearest neighbor search using Hierarchical Navigable Small World graphs"), as a
/// plain value with no locking: ``HNSWIndex`` guards it. Nodes are dense slots `0..<count`;
/// a removed node stays as a tombstone that searches walk through but never return.
struct HNSWGraph: Sendable {
    let parameters: HNSWIndex.Parameters
    var vectors: QuantizedVectors
    /// Passage id of each slot.
    var ids: [Int64] = []
    /// Slot of each live id.
    var slots: [Int64: Int32] = [:]
    var levels: [UInt8] = []
    var removed: [Bool] = []
    var removedCount = 0
    /// Layer-0 links: `count × (m0 + 1)` slots, each row `[n, link₁ … linkₙ, unused…]`.
    var base: [Int32] = []
    /// Links on layers 1…level: per slot, `level × (m + 1)` in the same row layout.
    var upper: [[Int32]] = []
    var entry: Int32 = -1
    var topLevel = 0
    /// SplitMix64 state for node levels: the same inserts in the same order give the same graph.
    var random: UInt64

    init(dimension: Int, parameters: HNSWIndex.Parameters) {
        self.parameters = parameters
        vectors = QuantizedVectors(dimension: dimension)
        random = parameters.seed
    }

    var count: Int { ids.count }
    var liveCount: Int { count - removedCount }
    var m0: Int { parameters.m * 2 }

    // MARK: Links

    private func capacity(_ level: Int) -> Int { level == 0 ? m0 : parameters.m }

    @inline(__always)
    func links(_ slot: Int32, _ level: Int) -> ArraySlice<Int32> {
        if level == 0 {
            let row = Int(slot) * (m0 + 1)
            return base[row + 1..<row + 1 + Int(base[row])]
        }
        let row = (level - 1) * (parameters.m + 1)
        let list = upper[Int(slot)]
        return list[row + 1..<row + 1 + Int(list[row])]
    }

    private mutating func setLinks(_ slot: Int32, _ level: Int, _ links: [Int32]) {
        if level == 0 {
            let row = Int(slot) * (m0 + 1)
            base[row] = Int32(links.count)
            for (offset, link) in links.enumerated() { base[row + 1 + offset] = link }
        } else {
            let row = (level - 1) * (parameters.m + 1)
            upper[Int(slot)][row] = Int32(links.count)
            for (offset, link) in links.enumerated() { upper[Int(slot)][row + 1 + offset] = link }
        }
    }

    // MARK: Insert and remove

    private mutating func randomLevel() -> Int {
        random &+= 0x9E37_79B9_7F4A_7C15
        var z = random
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        let uniform = (Double(z >> 11) + 1) / 0x1p53  // (0, 1]
        let level = Int(-log(uniform) / log(Double(parameters.m)))
        return min(level, 30)
    }

    /// Adds `vector` under `id`; a live node with the same id must have been removed first.
    mutating func insert(id: Int64, vector: [Float]) {
        let node = append(id: id, vector: vector)
        guard entry >= 0 else {
            entry = node.slot
            topLevel = node.level
            return
        }
        connect(node, found: neighbourSearch(node.slot, level: node.level), batch: [])
    }

    /// Adds `rows` (ids not in the graph, vectors checked) as ``insert(id:vector:)`` would, on
    /// `threads` threads: in batches whose searches for neighbours run in parallel on the graph
    /// as it was before the batch, after which each node is linked in order, also to the nodes
    /// of its own batch linked before it (which the searches could not see). The same rows give
    /// the same graph whatever the number of threads. When `cancellable`, a cancelled task stops
    /// between batches, leaving a consistent graph of the rows inserted so far.
    mutating func insert(batch rows: [(id: Int64, vector: [Float])], threads: Int, cancellable: Bool = false) {
        var next = 0
        // A small graph is built one by one: a batch must be small beside what it searches.
        while next < rows.count, count < Self.sequentialStart {
            insert(id: rows[next].id, vector: rows[next].vector)
            next += 1
        }
        while next < rows.count, !(cancellable && Task.isCancelled) {
            let end = min(rows.count, next + min(Self.batchLimit, count / 64))
            let added = rows[next..<end].map { append(id: $0.id, vector: $0.vector) }
            let found = candidates(for: added, threads: threads)
            for (number, node) in added.enumerated() { connect(node, found: found[number], batch: added[..<number]) }
            next = end
        }
    }

    /// Graphs smaller than this are built one insert at a time.
    static let sequentialStart = 2_048
    /// Nodes per parallel batch at most (and at most 1/64 of the graph).
    static let batchLimit = 512

    /// A new node with its level drawn and no links yet: nothing can reach it.
    private mutating func append(id: Int64, vector: [Float]) -> (slot: Int32, level: Int) {
        let slot = Int32(count)
        let level = randomLevel()
        ids.append(id)
        slots[id] = slot
        levels.append(UInt8(level))
        removed.append(false)
        vectors.append(vector)
        base.append(contentsOf: repeatElement(0, count: m0 + 1))
        upper.append(level == 0 ? [] : [Int32](repeating: 0, count: level * (parameters.m + 1)))
        return (slot, level)
    }

    /// Links `node` on each layer to the best-spread of what its search `found` there and of
    /// the `batch` nodes added with it (linked already, but unseen by its search), and those
    /// nodes back to it; it becomes the entry point if it is the highest.
    private mutating func connect(
        _ node: (slot: Int32, level: Int), found: [[(score: Float, slot: Int32)]], batch: ArraySlice<(slot: Int32, level: Int)>
    ) {
        for (layer, layerFound) in found.enumerated() {
            var pool = layerFound
            let mates = batch.filter { $0.level >= layer }
            if !mates.isEmpty {
                for mate in mates { pool.append((vectors.score(node.slot, mate.slot), mate.slot)) }
                pool.sort { $0.score > $1.score }
            }
            let chosen = selectNeighbours(pool, limit: parameters.m)
            setLinks(node.slot, layer, chosen.map(\.slot))
            for neighbour in chosen { link(neighbour.slot, to: node.slot, score: neighbour.score, level: layer) }
        }
        if node.level > topLevel {
            entry = node.slot
            topLevel = node.level
        }
    }

    /// For each new node (not yet linked, so no search can reach it), what ``insert(id:vector:)``
    /// would have found on each of its layers, from 0 up to the graph's top: searched in parallel.
    private func candidates(for nodes: [(slot: Int32, level: Int)], threads: Int) -> [[[(score: Float, slot: Int32)]]] {
        let results = UnsafeMutableBufferPointer<[[(score: Float, slot: Int32)]]>.allocate(capacity: nodes.count)
        results.initialize(repeating: [])
        defer {
            _ = results.deinitialize()
            results.deallocate()
        }
        let shared = SharedResults(buffer: results)
        let workers = max(1, min(threads, nodes.count))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for number in stride(from: worker, to: nodes.count, by: workers) {
                shared.buffer[number] = neighbourSearch(nodes[number].slot, level: nodes[number].level)
            }
        }
        return Array(results)
    }

    /// The searches of an insert for the node at `slot`, without linking it: the candidates
    /// found on each layer from min(`level`, top) down to 0, indexed by layer.
    private func neighbourSearch(_ slot: Int32, level: Int) -> [[(score: Float, slot: Int32)]] {
        let query = vectors.query(slot: Int(slot))
        var nearest = (score: vectors.score(query, entry), slot: entry)
        if topLevel > level {
            for layer in stride(from: topLevel, to: level, by: -1) { nearest = greedy(query, from: nearest, level: layer) }
        }
        var found = [[(score: Float, slot: Int32)]](repeating: [], count: min(level, topLevel) + 1)
        var entries = [nearest]
        for layer in stride(from: min(level, topLevel), through: 0, by: -1) {
            found[layer] = searchLayer(query, entries: entries, ef: parameters.efConstruction, level: layer, admits: { _ in true })
            entries = found[layer]
        }
        return found
    }

    /// Adds the reverse link `from → to`; a full list is pruned with the same heuristic.
    private mutating func link(_ from: Int32, to: Int32, score: Float, level: Int) {
        var current = Array(links(from, level))
        if current.count < capacity(level) {
            current.append(to)
            setLinks(from, level, current)
            return
        }
        var candidates = current.map { (score: vectors.score(from, $0), slot: $0) }
        candidates.append((score, to))
        candidates.sort { $0.score > $1.score }
        setLinks(from, level, selectNeighbours(candidates, limit: capacity(level)).map(\.slot))
    }

    /// The heuristic of the paper's algorithm 4: walk candidates best first and keep one only
    /// if it is closer to the base than to every neighbour kept so far, which spreads links
    /// across clusters instead of spending them all inside the nearest one.
    private func selectNeighbours(_ candidates: [(score: Float, slot: Int32)], limit: Int) -> [(score: Float, slot: Int32)] {
        guard candidates.count > limit else { return candidates }
        var chosen: [(score: Float, slot: Int32)] = []
        chosen.reserveCapacity(limit)
        for candidate in candidates {
            var diverse = true
            for kept in chosen where vectors.score(candidate.slot, kept.slot) > candidate.score {
                diverse = false
                break
            }
            if diverse {
                chosen.append(candidate)
                if chosen.count == limit { break }
            }
        }
        return chosen
    }

    /// Marks the node of `id` removed. It keeps its links so the graph stays connected, and
    /// is dropped for good by ``HNSWIndex/compact()``.
    mutating func remove(id: Int64) -> Bool {
        guard let slot = slots.removeValue(forKey: id) else { return false }
        removed[Int(slot)] = true
        removedCount += 1
        return true
    }

    // MARK: Search

    private func greedy(_ query: QuantizedVectors.Query, from start: (score: Float, slot: Int32), level: Int)
        -> (score: Float, slot: Int32)
    {
        var best = start
        var improved = true
        while improved {
            improved = false
            for neighbour in links(best.slot, level) {
                let score = vectors.score(query, neighbour)
                if score > best.score {
                    best = (score, neighbour)
                    improved = true
                }
            }
        }
        return best
    }

    /// Best-first search of one layer: up to `ef` nodes that `admits`, best
    /// first. Filtered nodes are still walked through; the search stops only when `ef`
    /// admitted nodes are found and no candidate can beat the worst of them, so a selective
    /// filter widens the search instead of cutting recall.
    func searchLayer(
        _ query: QuantizedVectors.Query, entries: [(score: Float, slot: Int32)], ef: Int, level: Int,
        admits: (Int32) -> Bool
    ) -> [(score: Float, slot: Int32)] {
        var visited = VisitedSet(count: count)
        var candidates = ScoredHeap(capacity: ef * 4)
        var results = ScoredHeap(capacity: ef + 1)  // negated scores: top is the worst
        for entry in entries where visited.insert(entry.slot) {
            candidates.push(entry.score, entry.slot)
            if admits(entry.slot) {
                results.push(-entry.score, entry.slot)
                if results.count > ef { results.pop() }
            }
        }
        while let candidate = candidates.pop() {
            if results.count >= ef, candidate.score < -results.top!.score { break }
            let neighbours = links(candidate.slot, level)
            // Ask for every neighbour's codes first, so their cache misses overlap instead of
            // each stalling the dot product that needs it.
            for neighbour in neighbours where !visited.contains(neighbour) { vectors.prefetch(neighbour) }
            for neighbour in neighbours where visited.insert(neighbour) {
                let score = vectors.score(query, neighbour)
                guard results.count < ef || score > -results.top!.score else { continue }
                candidates.push(score, neighbour)
                if admits(neighbour) {
                    results.push(-score, neighbour)
                    if results.count > ef { results.pop() }
                }
            }
        }
        return results.items.map { (-$0.score, $0.slot) }.sorted { $0.score > $1.score }
    }

    /// The `ef` approximately best admitted nodes for `query`, through the graph.
    func graphSearch(_ query: QuantizedVectors.Query, ef: Int, admits: (Int32) -> Bool) -> [(score: Float, slot: Int32)] {
        guard entry >= 0 else { return [] }
        var nearest = (score: vectors.score(query, entry), slot: entry)
        for layer in stride(from: topLevel, to: 0, by: -1) {
            nearest = greedy(query, from: nearest, level: layer)
        }
        return searchLayer(query, entries: [nearest], ef: ef, level: 0, admits: admits)
    }

    /// The `limit` best admitted nodes among `slots`, by quantised score, scanning each.
    func scan(_ query: QuantizedVectors.Query, slots: some Sequence<Int32>, limit: Int, admits: (Int32) -> Bool)
        -> [(score: Float, slot: Int32)]
    {
        var results = ScoredHeap(capacity: limit + 1)
        for slot in slots where admits(slot) {
            let score = vectors.score(query, slot)
            if results.count < limit {
                results.push(-score, slot)
            } else if score > -results.top!.score {
                results.pop()
                results.push(-score, slot)
            }
        }
        return results.items.map { (-$0.score, $0.slot) }
    }

    /// `candidates` scored exactly against the float vectors, the best `k` first.
    func rerank(_ query: QuantizedVectors.Query, _ candidates: [(score: Float, slot: Int32)], k: Int)
        -> [(id: Int64, score: Float)]
    {
        var scored: [(id: Int64, score: Float)] = []
        scored.reserveCapacity(candidates.count)
        for candidate in candidates {
            scored.append((ids[Int(candidate.slot)], vectors.exactScore(query, candidate.slot)))
        }
        scored.sort { left, right in left.score > right.score || (left.score == right.score && left.id < right.id) }
        return Array(scored.prefix(k))
    }
}

/// Results written by the threads of a parallel search, each to its own elements.
private struct SharedResults: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<[[(score: Float, slot: Int32)]]>
}

/// Which graph nodes a search has already scored: one bit per slot.
struct VisitedSet {
    private var words: [UInt64]

    init(count: Int) { words = [UInt64](repeating: 0, count: (count + 63) / 64) }

    func contains(_ slot: Int32) -> Bool {
        words[Int(slot) >> 6] & (UInt64(1) << UInt64(slot & 63)) != 0
    }

    /// Marks `slot`; true if it was not marked before.
    mutating func insert(_ slot: Int32) -> Bool {
        let index = Int(slot) >> 6
        let bit = UInt64(1) << UInt64(slot & 63)
        if words[index] & bit != 0 { return false }
        words[index] |= bit
        return true
    }
}
