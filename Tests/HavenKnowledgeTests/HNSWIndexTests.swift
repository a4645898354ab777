import Foundation
import Testing

@testable import HavenKnowledge

/// Seeded clustered unit vectors, like sentence embeddings: points scattered around random
/// centres, and queries near points of the set.
private struct ClusteredVectors {
    let vectors: [[Float]]
    let queries: [[Float]]

    init(count: Int, dimension: Int, queries queryCount: Int, seed: UInt64) {
        var random = SplitMix(state: seed)
        let centres = (0..<max(10, count / 200)).map { _ in
            Self.unit((0..<dimension).map { _ in random.gaussian() })
        }
        let spread = 1 / Float(dimension).squareRoot()
        let vectors = (0..<count).map { _ in
            Self.unit(centres[random.below(centres.count)].map { $0 + spread * random.gaussian() })
        }
        self.vectors = vectors
        queries = (0..<queryCount).map { _ in
            Self.unit(vectors[random.below(count)].map { $0 + 0.5 * spread * random.gaussian() })
        }
    }

    static func unit(_ vector: [Float]) -> [Float] {
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return vector.map { $0 / norm }
    }

    /// The exact `k` best ids among those `allows` admits.
    func exact(_ query: [Float], k: Int, allows: (Int64) -> Bool = { _ in true }) -> [Int64] {
        var scored: [(id: Int64, score: Float)] = []
        for (index, vector) in vectors.enumerated() where allows(Int64(index)) {
            var score: Float = 0
            for component in 0..<query.count { score += vector[component] * query[component] }
            scored.append((Int64(index), score))
        }
        return scored.sorted { $0.score > $1.score }.prefix(k).map(\.id)
    }

    func index(parameters: HNSWIndex.Parameters = .init()) throws -> HNSWIndex {
        let index = try HNSWIndex(dimension: vectors[0].count, parameters: parameters)
        for (id, vector) in vectors.enumerated() { try index.insert(id: Int64(id), vector: vector) }
        return index
    }

    /// Mean share of the exact top `k` found, over the queries.
    func recall(
        _ index: HNSWIndex, k: Int = 10, strategy: HNSWIndex.FilterStrategy = .automatic,
        allows: @escaping (Int64) -> Bool = { _ in true }
    ) throws -> Double {
        var found = 0, wanted = 0
        for query in queries {
            let truth = Set(exact(query, k: k, allows: allows))
            let matches = try index.search(query, k: k, strategy: strategy, allows: allows)
            #expect(matches.allSatisfy { allows($0.id) }, "a search returned an id the filter refuses")
            found += matches.filter { truth.contains($0.id) }.count
            wanted += truth.count
        }
        return Double(found) / Double(max(wanted, 1))
    }
}

private struct SplitMix {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    mutating func gaussian() -> Float {
        let u = (Double(next() >> 11) + 1) / 0x1p53, v = Double(next() >> 11) / 0x1p53
        return Float((-2 * log(u)).squareRoot() * cos(2 * .pi * v))
    }
}

@Suite struct HNSWIndexTests {
    /// Debug builds are ~20× slower than release, so the default data set is small; set
    /// HAVEN_HNSW_LARGE=1 (with `-c release`) for 20,000 × 384 with timings.
    fileprivate static let data = ClusteredVectors(count: 3_000, dimension: 32, queries: 60, seed: 1)
    static let shared = Result { try data.index() }

    /// A random 1% of the ids: a principal who may read little of the archive.
    static let onePercent: Set<Int64> = {
        var random = SplitMix(state: 7)
        return Set((0..<Int64(data.vectors.count)).filter { _ in random.below(100) == 0 })
    }()

    @Test func recallAtTenMatchesExactSearch() throws {
        let index = try Self.shared.get()
        #expect(index.count == Self.data.vectors.count)
        let recall = try Self.data.recall(index)
        #expect(recall >= 0.95, "recall@10 \(recall)")
    }

    @Test(arguments: [HNSWIndex.FilterStrategy.automatic, .graph, .scan])
    func aOnePercentFilterKeepsRecallAndNeverLeaks(strategy: HNSWIndex.FilterStrategy) throws {
        let index = try Self.shared.get()
        let allowed = Self.onePercent
        let recall = try Self.data.recall(index, strategy: strategy, allows: { allowed.contains($0) })
        #expect(recall >= 0.95, "filtered recall@10 \(recall) with \(strategy)")
    }

    @Test func aCandidateSetSearchIsExactOverThoseIds() throws {
        let index = try Self.shared.get()
        let allowed = Self.onePercent
        for query in Self.data.queries.prefix(20) {
            let matches = try index.search(query, k: 10, among: allowed.sorted() + allowed.sorted() + [-5])
            #expect(matches.map(\.id) == Self.data.exact(query, k: 10, allows: { allowed.contains($0) }))
        }
    }

    @Test func scoresAreExactDotProductsBestFirst() throws {
        let index = try Self.shared.get()
        let query = Self.data.queries[0]
        let matches = try index.search(query, k: 10)
        #expect(matches.map(\.score) == matches.map(\.score).sorted(by: >))
        for match in matches {
            let vector = Self.data.vectors[Int(match.id)]
            let score = zip(vector, query).reduce(Float(0)) { $0 + $1.0 * $1.1 }
            #expect(abs(score - match.score) < 1e-4)
        }
    }

    @Test func removedIdsAreNeverReturnedAndCompactionDropsThem() throws {
        let data = ClusteredVectors(count: 1_500, dimension: 32, queries: 40, seed: 3)
        let index = try data.index()
        let removed = Set((0..<Int64(1_500)).filter { $0 % 5 == 0 })
        for id in removed { #expect(index.remove(id: id)) }
        #expect(!index.remove(id: 0))
        #expect(index.count == 1_200 && index.removedCount == 300)
        let live: (Int64) -> Bool = { !removed.contains($0) }
        for query in data.queries {
            #expect(try index.search(query, k: 10).allSatisfy { live($0.id) })
        }
        // The exact answer over the remaining vectors is what a search should find.
        var before = try data.recall(index, allows: live)
        #expect(before >= 0.95, "recall after removal \(before)")
        index.compact()
        #expect(index.count == 1_200 && index.removedCount == 0)
        before = try data.recall(index, allows: live)
        #expect(before >= 0.95, "recall after compaction \(before)")
        for query in data.queries {
            #expect(try index.search(query, k: 10).allSatisfy { live($0.id) })
        }
    }

    @Test func reinsertingAnIdReplacesItsVector() throws {
        let data = ClusteredVectors(count: 200, dimension: 16, queries: 1, seed: 5)
        let index = try data.index()
        try index.insert(id: 7, vector: data.vectors[100])
        #expect(index.count == 200 && index.removedCount == 1)
        let matches = try index.search(data.vectors[100], k: 2)
        #expect(Set(matches.map(\.id)) == [7, 100])
    }

    @Test func theSameInsertsBuildTheSameGraph() throws {
        let data = ClusteredVectors(count: 500, dimension: 16, queries: 10, seed: 9)
        let first = try data.index(), second = try data.index()
        for query in data.queries {
            #expect(try first.search(query, k: 10, ef: 16) == second.search(query, k: 10, ef: 16))
        }
    }

    @Test func aWrittenIndexLoadsWithIdenticalResults() throws {
        let data = ClusteredVectors(count: 800, dimension: 32, queries: 20, seed: 11)
        let index = try data.index()
        index.remove(id: 3)
        let file = try TemporaryFile()
        defer { file.remove() }
        try index.write(to: file.path)
        let loaded = try HNSWIndex.load(from: file.path, dimension: 32)
        #expect(loaded.count == index.count && loaded.removedCount == 1 && loaded.parameters == index.parameters)
        for query in data.queries {
            #expect(try loaded.search(query, k: 10) == index.search(query, k: 10))
            #expect(try loaded.search(query, k: 10, ef: 12, strategy: .graph, allows: { $0 % 3 == 0 })
                == index.search(query, k: 10, ef: 12, strategy: .graph, allows: { $0 % 3 == 0 }))
        }
        // The level generator's state travels too: the same insert after loading gives the same graph.
        try index.insert(id: 5_000, vector: data.queries[0])
        try loaded.insert(id: 5_000, vector: data.queries[0])
        try index.write(to: file.path + ".a")
        try loaded.write(to: file.path + ".b")
        #expect(try Data(contentsOf: URL(fileURLWithPath: file.path + ".a"))
            == Data(contentsOf: URL(fileURLWithPath: file.path + ".b")))
    }

    @Test func aDamagedTruncatedOrForeignFileIsRefused() throws {
        let data = ClusteredVectors(count: 300, dimension: 16, queries: 0, seed: 13)
        let file = try TemporaryFile()
        defer { file.remove() }
        try data.index().write(to: file.path)
        let good = try Data(contentsOf: URL(fileURLWithPath: file.path))

        #expect(throws: HNSWError.wrongDimension(path: file.path, found: 16, expected: 384)) {
            try HNSWIndex.load(from: file.path, dimension: 384)
        }
        var flipped = good
        flipped[good.count / 2] ^= 0x40
        try flipped.write(to: URL(fileURLWithPath: file.path))
        #expect(throws: HNSWError.damagedFile(path: file.path, reason: "checksum mismatch")) {
            try HNSWIndex.load(from: file.path, dimension: 16)
        }
        try good.prefix(good.count - 100).write(to: URL(fileURLWithPath: file.path))
        #expect { try HNSWIndex.load(from: file.path, dimension: 16) } throws: { error in
            guard case HNSWError.damagedFile(_, let reason) = error else { return false }
            return reason.contains("header implies")
        }
        try Data(String(repeating: "not an index file. ", count: 8).utf8)
            .write(to: URL(fileURLWithPath: file.path))
        #expect(throws: HNSWError.damagedFile(path: file.path, reason: "not a vector index file")) {
            try HNSWIndex.load(from: file.path, dimension: 16)
        }
        var newer = good
        newer[8] = 9
        try newer.write(to: URL(fileURLWithPath: file.path))
        #expect(throws: HNSWError.unsupportedVersion(path: file.path, found: 9, supported: 1)) {
            try HNSWIndex.load(from: file.path, dimension: 16)
        }
        // A file whose checksum matches but whose links lead nowhere (a writer bug, say).
        var broken = good
        let base = HNSWIndexFile.headerSize + 300 * (8 + 1 + 1 + 4 + 16 + 4 * 16)
        broken[base] = 99
        broken.replaceSubrange(broken.count - 4..<broken.count, with: withUnsafeBytes(
            of: CRC32.checksum(Array(broken.prefix(broken.count - 4))).littleEndian, Array.init))
        try broken.write(to: URL(fileURLWithPath: file.path))
        #expect(throws: HNSWError.damagedFile(path: file.path, reason: "links out of range")) {
            try HNSWIndex.load(from: file.path, dimension: 16)
        }
        #expect(throws: HNSWError.self) { try HNSWIndex.load(from: file.path + ".missing", dimension: 16) }
        #expect(HNSWError.damagedFile(path: "/x", reason: "truncated").description.contains("rebuilt from the catalog"))
    }

    @Test func aParallelBulkBuildFindsWhatOneByOneInsertsFindAndIsTheSameOnAnyThreads() throws {
        let data = ClusteredVectors(count: 2_800, dimension: 8, queries: 40, seed: 41)
        let rows = data.vectors.enumerated().map { (id: Int64($0.offset), vector: $0.element) }
        let one = try HNSWIndex(dimension: 8)
        try one.insert(contentsOf: rows, threads: 1)
        let two = try HNSWIndex(dimension: 8)
        try two.insert(contentsOf: Array(rows[..<2_300]), threads: 2)
        try two.insert(contentsOf: Array(rows[2_300...]), threads: 2)
        let sequential = try data.index()
        #expect(one.count == 2_800 && two.count == 2_800)
        let recalls = try [one, two, sequential].map { try data.recall($0, strategy: .graph) }
        #expect(recalls[0] >= 0.95 && recalls[2] >= 0.95, "recall: batches \(recalls[0]), one by one \(recalls[2])")
        #expect(recalls[0] >= recalls[2] - 0.02 && recalls[1] >= recalls[2] - 0.02, "recall: \(recalls)")
        // Batches are cut the same way and linked in order: the threads change nothing.
        let once = try HNSWIndex(dimension: 8)
        try once.insert(contentsOf: rows, threads: 2)
        for query in data.queries {
            #expect(try one.search(query, k: 10, strategy: .graph) == once.search(query, k: 10, strategy: .graph))
        }
    }

    @Test func aBulkInsertKeepsEachIdsLastVectorAndRefusesBadRowsWhole() throws {
        let index = try HNSWIndex(dimension: 2)
        try index.insert(id: 1, vector: [1, 0])
        try index.insert(contentsOf: [(1, [0, 1]), (2, [1, 0]), (2, ClusteredVectors.unit([1, 1]))], threads: 2)
        #expect(index.count == 2 && index.removedCount == 1)
        #expect(try index.search([0, 1], k: 2).map(\.id) == [1, 2])
        #expect(try index.search([0, 1], k: 1).first?.score == 1)
        #expect(throws: HNSWError.dimensionMismatch(expected: 2, found: 3)) {
            try index.insert(contentsOf: [(7, [1, 0]), (8, [1, 0, 0])])
        }
        #expect(throws: HNSWError.nonFiniteVector(id: 9)) { try index.insert(contentsOf: [(7, [1, 0]), (9, [.infinity, 0])]) }
        #expect(index.count == 2 && !index.contains(id: 7))
    }

    @Test func theInt8KernelAgreesWithTheScalarSumAtEveryLength() {
        var random = SplitMix(state: 31)
        for count in Array(0...130) + [383, 384, 385, 1_024, 4_099] {
            let a = (0..<count).map { _ in Int8(truncatingIfNeeded: random.next()) }
            let b = (0..<count).map { _ in Int8(truncatingIfNeeded: random.next()) }
            let expected = zip(a, b).reduce(Int32(0)) { $0 + Int32($1.0) * Int32($1.1) }
            #expect(QuantizedVectors.dot(a, b, count) == expected, "length \(count)")
        }
        // The extremes, where a narrower accumulator would overflow.
        let low = [Int8](repeating: -128, count: 4_099), high = [Int8](repeating: 127, count: 4_099)
        #expect(QuantizedVectors.dot(low, low, 4_099) == 4_099 * 128 * 128)
        #expect(QuantizedVectors.dot(low, high, 4_099) == -4_099 * 128 * 127)
    }

    @Test func theSearchWidthGrowsWithTheIndexFromEfSearch() {
        #expect(HNSWIndex.searchWidth(count: 0, efSearch: 128) == 128)
        #expect(HNSWIndex.searchWidth(count: 125_000, efSearch: 128) == 128)
        #expect(HNSWIndex.searchWidth(count: 125_001, efSearch: 128) == 128)
        #expect(HNSWIndex.searchWidth(count: 1_000_000, efSearch: 128) == 512)
        #expect(HNSWIndex.searchWidth(count: 1_000_000, efSearch: 64) == 256)
        var previous = 0
        for count in stride(from: 0, through: 20_000_000, by: 50_000) {
            let width = HNSWIndex.searchWidth(count: count, efSearch: 128)
            #expect(width >= previous && width <= 1_200)
            previous = width
        }
    }

    @Test func theChecksumIsStandardCRC32() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([]) == 0)
    }

    @Test func anEmptyIndexAndALargeKBehave() throws {
        let index = try HNSWIndex(dimension: 4)
        #expect(try index.search([1, 0, 0, 0], k: 5).isEmpty)
        let file = try TemporaryFile()
        defer { file.remove() }
        try index.write(to: file.path)
        #expect(try HNSWIndex.load(from: file.path, dimension: 4).count == 0)

        try index.insert(id: 1, vector: [1, 0, 0, 0])
        try index.insert(id: 2, vector: [0, 1, 0, 0])
        try index.insert(id: 3, vector: ClusteredVectors.unit([1, 1, 0, 0]))
        #expect(try index.search([1, 0, 0, 0], k: 50).map(\.id) == [1, 3, 2])
        #expect(try index.search([1, 0, 0, 0], k: 0).isEmpty)
        #expect(try index.search([1, 0, 0, 0], k: 5, allows: { _ in false }).isEmpty)
        #expect(throws: HNSWError.dimensionMismatch(expected: 4, found: 3)) { try index.search([1, 0, 0], k: 1) }
        #expect(throws: HNSWError.dimensionMismatch(expected: 4, found: 5)) { try index.insert(id: 9, vector: [0, 0, 0, 0, 1]) }
        #expect(throws: HNSWError.nonFiniteVector(id: 9)) { try index.insert(id: 9, vector: [.nan, 0, 0, 0]) }
        #expect(throws: HNSWError.self) { try HNSWIndex(dimension: 0) }
        #expect(throws: HNSWError.self) { try HNSWIndex(dimension: 8, parameters: .init(m: 1)) }
    }

    @Test func searchesRunWhileTheIndexerInserts() async throws {
        let data = ClusteredVectors(count: 600, dimension: 16, queries: 20, seed: 17)
        let index = try HNSWIndex(dimension: 16)
        for id in 0..<300 { try index.insert(id: Int64(id), vector: data.vectors[id]) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for id in 300..<600 { try index.insert(id: Int64(id), vector: data.vectors[id]) }
            }
            for query in data.queries {
                group.addTask {
                    let matches = try index.search(query, k: 10, allows: { $0 % 2 == 0 })
                    #expect(matches.count == 10 && matches.allSatisfy { $0.id % 2 == 0 })
                }
            }
            try await group.waitForAll()
        }
        #expect(index.count == 600)
    }

    /// 20,000 vectors of dimension 384 with timings; run in release:
    /// `HAVEN_HNSW_LARGE=1 swift test -c release --filter HNSWIndexTests/atScale`.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["HAVEN_HNSW_LARGE"] != nil))
    func atScale() throws {
        let data = ClusteredVectors(count: 20_000, dimension: 384, queries: 200, seed: 21)
        let start = ContinuousClock.now
        let index = try data.index()
        print("HNSW build 20000×384: \(ContinuousClock.now - start)")
        var random = SplitMix(state: 23)
        let onePercent = Set((0..<Int64(20_000)).filter { _ in random.below(100) == 0 })
        for (label, allows) in [("all", { (_: Int64) in true }), ("1%", { onePercent.contains($0) })] {
            var latencies: [Duration] = []
            for query in data.queries {
                let begin = ContinuousClock.now
                _ = try index.search(query, k: 10, allows: allows)
                latencies.append(ContinuousClock.now - begin)
            }
            latencies.sort()
            let recall = try data.recall(index, allows: allows)
            print("HNSW \(label): recall@10 \(recall) p50 \(latencies[100]) p99 \(latencies[198])")
            #expect(recall >= 0.95)
        }
    }
}

/// A path in the temporary directory, removed (with its siblings written by the test) after.
private struct TemporaryFile {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("hnsw-\(UUID().uuidString).index").path
    }

    func remove() {
        for suffix in ["", ".a", ".b", ".tmp"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}
