import ArgumentParser
import Foundation
import HavenKnowledge

extension HavenBench {
    /// The vector index alone, on the knowledge bench's clustered vectors: build time, then
    /// recall@10 against an exact scan and latency for each candidate-list length `ef`, to
    /// choose the search width at a given size. `--file` keeps the built index, so a later run
    /// at the same size loads it instead of building it again.
    struct ANN: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ann")

        @Option(help: "Vectors in the index.") var count = 100_000
        @Option(help: "Dimension of the vectors (all-MiniLM-L6-v2: 384).") var dimension = 384
        @Option(parsing: .upToNextOption, help: "Search widths to measure.") var ef: [Int] = [64, 128, 256, 512]
        @Option(help: "Queries per width.") var queries = 200
        @Flag(help: "Insert one vector at a time (as the indexer does), not in parallel batches (as a rebuild does).")
        var sequential = false
        @Option(help: "An index file: loaded if it holds `count` vectors, otherwise built and written there.") var file: String?

        func run() async throws {
            let clusters = ClusteredVectors(dimension: dimension, clusters: 1000, seed: 7)
            let index: HNSWIndex
            if let file, let loaded = try? HNSWIndex.load(from: file, dimension: dimension), loaded.count == count {
                index = loaded
                print("loaded \(count) vectors from \(file)")
            } else {
                index = try HNSWIndex(dimension: dimension)
                let began = ContinuousClock.now
                if sequential {
                    for id in 0..<count { try index.insert(id: Int64(id), vector: clusters.vector(seed: id)) }
                } else {
                    for start in stride(from: 0, to: count, by: 100_000) {
                        try index.insert(contentsOf: (start..<min(count, start + 100_000)).map { (Int64($0), clusters.vector(seed: $0)) })
                    }
                }
                let seconds = (ContinuousClock.now - began).seconds
                print(String(format: "built %d vectors %@ in %.1f s (%.0f inserts/s); resident memory %.0f MiB",
                             count, sequential ? "one by one" : "in parallel batches", seconds, Double(count) / seconds,
                             Knowledge.residentMiB()))
                if let file { try index.write(to: file) }
            }
            let probes = (0..<queries).map { clusters.query(seed: $0) }
            let exact = Self.exactNearest(probes, clusters: clusters, count: count, k: 10)
            for width in ef {
                var recall = 0.0
                var samples: [Double] = []
                for (probe, truth) in zip(probes, exact) {
                    let began = ContinuousClock.now
                    let found = try index.search(probe, k: 10, ef: width, strategy: .graph)
                    samples.append((ContinuousClock.now - began).seconds * 1000)
                    let ids = Set(found.map(\.id))
                    recall += Double(truth.filter(ids.contains).count) / Double(max(truth.count, 1))
                }
                samples.sort()
                print(String(format: "ef %4d: recall@10 %.3f, p50 %.2f ms, p99 %.2f ms", width, recall / Double(queries),
                             samples[samples.count / 2], samples[min(samples.count - 1, samples.count * 99 / 100)]))
            }
        }

        /// The true `k` nearest ids of each probe: a float scan of every vector, generated again
        /// a block at a time rather than kept.
        static func exactNearest(_ probes: [[Float]], clusters: ClusteredVectors, count: Int, k: Int) -> [[Int64]] {
            var best = [[(score: Float, id: Int64)]](repeating: [], count: probes.count)
            var start = 0
            while start < count {
                let block = (start..<min(start + 10_000, count)).map { (id: Int64($0), vector: clusters.vector(seed: $0)) }
                for (number, probe) in probes.enumerated() {
                    for (id, vector) in block {
                        var score: Float = 0
                        for component in 0..<probe.count { score += probe[component] * vector[component] }
                        if best[number].count < k || score > best[number][k - 1].score {
                            let at = best[number].firstIndex { $0.score < score } ?? best[number].count
                            best[number].insert((score, id), at: at)
                            if best[number].count > k { best[number].removeLast() }
                        }
                    }
                }
                start += 10_000
            }
            return best.map { $0.map(\.id) }
        }
    }
}
