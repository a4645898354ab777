import ArgumentParser
import Foundation
import HavenAccess
import HavenIdentity
import HavenInference
import HavenKnowledge
import HavenStore
import Logging
import Synchronization

/// An embedder on the inference engine, for the indexing measurement.
final class BenchEmbedder: Embedder {
    let engine: InferenceEngine
    /// Tokens embedded so far (after truncation), to report tokens/s beside passages/s.
    let tokens = Mutex(0)

    init(engine: InferenceEngine) {
        self.engine = engine
    }

    func embed(_ texts: [String]) async throws -> [[Float]] {
        let inputs = texts.map { Array(engine.tokenize($0).prefix(engine.embeddingInputLimit)) }
        tokens.withLock { $0 += inputs.reduce(0) { $0 + $1.count } }
        return try await engine.embed(inputs)
    }
}

/// Seeded unit vectors around `clusters` random centres (a centre plus noise), as embeddings of
/// texts on a thousand topics would be: what an ANN index's speed and recall depend on.
struct ClusteredVectors: Sendable {
    let dimension: Int
    let centres: [[Float]]

    init(dimension: Int, clusters: Int, seed: UInt64) {
        self.dimension = dimension
        var generator = SplitMix(seed: seed)
        centres = (0..<clusters).map { _ in VectorIndex.normalised((0..<dimension).map { _ in generator.gaussian() }) }
    }

    /// The vector of passage `seed`: its topic's centre plus noise.
    func vector(seed: Int) -> [Float] {
        var generator = SplitMix(seed: UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 11)
        let centre = centres[Int(generator.next() % UInt64(centres.count))]
        return VectorIndex.normalised(centre.map { $0 + 0.08 * generator.gaussian() })
    }

    /// A query vector: near a topic, like a question about it.
    func query(seed: Int) -> [Float] {
        vector(seed: 50_000_000 + seed)
    }
}

/// Embeds each query text as a clustered vector chosen by the text's hash (deterministic).
struct ClusteredQueryEmbedder: Embedder {
    let clusters: ClusteredVectors

    func embed(_ texts: [String]) async throws -> [[Float]] {
        texts.map { text in clusters.query(seed: Int(text.utf8.reduce(UInt32(2_166_136_261)) { ($0 ^ UInt32($1)) &* 16_777_619 } % 1_000_000)) }
    }
}

/// SplitMix64, with Gaussian samples by Box–Muller: reproducible vectors for the bench.
struct SplitMix {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func gaussian() -> Float {
        let u1 = max(Double(next() >> 11) / Double(1 << 53), 1e-12)
        let u2 = Double(next() >> 11) / Double(1 << 53)
        return Float((-2 * log(u1)).squareRoot() * cos(2 * .pi * u2))
    }
}

extension HavenBench {
    /// Indexing throughput with the real model, and search latency at scale.
    struct Knowledge: AsyncParsableCommand {
        @Option(help: "The GGUF model that embeds passages (make bench: the converted all-MiniLM-L6-v2).") var model: String
        @Option(help: "A directory for the stores (created).") var directory: String
        @Option(help: "Files to index with the real model (each becomes a few passages).") var files = 40
        @Option(parsing: .upToNextOption, help: "Passage counts to measure search at.") var scales: [Int] = [100_000, 1_000_000]
        @Option(help: "Searches per scale.") var queries = 200

        func run() async throws {
            var logger = Logger(label: "bench")
            logger.logLevel = .error
            var configuration = EngineConfiguration()
            let environment = ProcessInfo.processInfo.environment
            if let value = environment["BENCH_EMBED_BATCH_TOKENS"].flatMap(Int.init) { configuration.embeddingBatchTokens = value }
            if let value = environment["BENCH_EMBED_BATCH_SEQUENCES"].flatMap(Int.init) { configuration.embeddingBatchSequences = value }
            if let value = environment["BENCH_EMBED_TRUNCATE"].flatMap(Int.init) { configuration.contextPerSequence = value }
            let engine = try InferenceEngine(name: "bench", path: model, configuration: configuration, logger: logger)
            let embedder = BenchEmbedder(engine: engine)
            let dimension = try await embedder.embed(["probe"]).first?.count ?? 0

            // (a) Indexing: files of ~900 words go through extraction, splitting, embedding
            // with the model, and the catalog.
            let indexing = try makeStore(directory + "/indexing")
            let indexer = Indexer(store: indexing, embedder: embedder)
            for index in 0..<files {
                let path = try DataPath(parsing: "/bench/file\(index).md")
                try await indexing.put(
                    Array(Self.text(words: 900, seed: index, from: Self.english).utf8), at: path, mediaType: "text/markdown",
                    author: "owner")
            }
            let tokensBefore = embedder.tokens.withLock { $0 }
            let start = ContinuousClock.now
            try await indexer.reconcile()
            await indexer.idle()
            let seconds = (ContinuousClock.now - start).seconds
            let passages = try await indexer.progress().passages

            // (b) Search at each scale, with passages inserted directly: real-looking text for
            // BM25 and clustered unit vectors of the model's dimension (real embeddings cluster by
            // topic; uniform random vectors have no neighbourhoods for any ANN index to use).
            // Queries are embedded near a cluster the same way. A principal who may read 1 % of
            // the files (one folder in a hundred) is measured beside the owner.
            var lines: [String] = []
            for scale in scales {
                let store = try makeStore(directory + "/search-\(scale)")
                let vectors = VectorIndex()
                let clusters = ClusteredVectors(dimension: dimension, clusters: 1000, seed: 7)
                let perFile = 10
                let built = ContinuousClock.now
                var insertSeconds = 0.0
                for file in 0..<(scale / perFile) {
                    let texts = (0..<perFile).map { Self.text(words: 60, seed: file * perFile + $0) }
                    let embeddings = (0..<perFile).map { clusters.vector(seed: file * perFile + $0) }
                    let path = "/scale/g\(file % 100)/\(file).md"
                    let ids = try store.catalog.replacePassages(
                        of: path, version: 1, passages: zip(texts, embeddings).map { ($0, $1) }, at: Date())
                    let began = ContinuousClock.now
                    vectors.replace(path: path, ids: ids, vectors: embeddings)
                    insertSeconds += (ContinuousClock.now - began).seconds
                }
                let buildSeconds = (ContinuousClock.now - built).seconds
                let queryEmbedder = ClusteredQueryEmbedder(clusters: clusters)
                // As the server's: term counts remembered between searches while the index is unchanged.
                let retriever = Retriever(
                    catalog: store.catalog, vectors: vectors, embedder: queryEmbedder, statistics: TermStatistics())
                for (label, filter) in [
                    ("owner", PathFilter(allowed: nil, scopes: nil)), ("1% principal", PathFilter(allowed: ["/scale/g7/"], scopes: nil)),
                ] {
                    var samples: [Double] = []
                    var vectorSamples: [Double] = []
                    var recall = 0.0
                    for query in 0..<queries {
                        let words = Self.text(words: 4, seed: 1_000_000 + query)
                        let began = ContinuousClock.now
                        _ = try await retriever.search(words, k: 10, filter: filter)
                        samples.append((ContinuousClock.now - began).seconds * 1000)
                        // Recall of the vector index against an exact search, same query and filter.
                        let vector = clusters.query(seed: query)
                        let vectorBegan = ContinuousClock.now
                        let approximate = Set(vectors.nearest(to: vector, limit: 50, filter: filter).prefix(10).map(\.id))
                        vectorSamples.append((ContinuousClock.now - vectorBegan).seconds * 1000)
                        let exact = vectors.exactNearest(to: vector, limit: 10, allows: filter.allows).map(\.id)
                        recall += exact.isEmpty ? 1 : Double(exact.filter(approximate.contains).count) / Double(exact.count)
                    }
                    samples.sort()
                    vectorSamples.sort()
                    let p50 = samples[samples.count / 2]
                    let p99 = samples[min(samples.count - 1, samples.count * 99 / 100)]
                    lines.append(
                        "(e) search over \(scale) passages, \(label) (hybrid, k = 10): "
                            + String(format: "p50 %.1f ms, p99 %.1f ms; of which the vector index (50 candidates) p50 %.1f ms, p99 %.1f ms; ANN recall@10 vs exact %.3f",
                                p50, p99, vectorSamples[vectorSamples.count / 2],
                                vectorSamples[min(vectorSamples.count - 1, vectorSamples.count * 99 / 100)], recall / Double(queries)))
                }
                lines.append(
                    "(f) \(scale) passages: catalog + index built in "
                        + String(format: "%.0f s (vector index inserts %.0f s); resident memory %.0f MiB", buildSeconds, insertSeconds,
                            Self.residentMiB()))
            }
            print(
                "(d) indexing with the embedding model: \(passages) passages in "
                    + String(
                        format: "%.1f s = %.1f passages/s, %.0f tokens/s", seconds, Double(passages) / seconds,
                        Double(embedder.tokens.withLock { $0 } - tokensBefore) / seconds)
                    + " (embedding dimension \(dimension))")
            for line in lines { print(line) }
        }

        /// This process's resident memory, from /proc/self/statm.
        static func residentMiB() -> Double {
            guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
            let fields = text.split(separator: " ")
            guard fields.count > 1, let pages = Double(fields[1]) else { return 0 }
            return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
        }

        func makeStore(_ path: String) throws -> DataStore {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            let catalog = try Catalog.open(at: path + "/catalog.sqlite", schema: CatalogSchema([.files, .changes, .knowledge, .knowledgeVocabulary, .passagePaths]))
            return try DataStore(catalog: catalog, objectsDirectory: path + "/objects")
        }

        /// 20,000 made-up words from syllables, so queries match a realistic share of passages
        /// (a small vocabulary would make every passage match every query, BM25's worst case).
        static let vocabulary: [String] = {
            let syllables = ["ka", "lo", "mi", "ten", "ra", "sul", "vo", "ne", "dri", "pa", "sho", "qua", "ber", "lin",
                             "tor", "gem", "fa", "wi", "zu", "hol"]
            var words: [String] = []
            for a in syllables { for b in syllables { for c in syllables.prefix(10) { words.append(a + b + c) } } }
            for a in syllables { for b in syllables { for c in syllables { words.append(a + b + c + "s") } } }
            return Array(words.prefix(20_000))
        }()

        /// Common English words, for the indexing corpus: they tokenise as real prose does
        /// (about 1.3 tokens a word), which sets the cost of embedding.
        static let english = """
            the of and to in is was for on that with as by at from his her they this which be or had \
            are not but have were one all their there been has when who will more no if out so said what \
            up its about into than them can only other new some could time these two may then do first \
            any my now such like our over man me even most made after also did many before must through \
            back years where much your way well down should because each just those people how too little \
            state good very make world still own see men work long get here between both life being under \
            never day same another know while last might us great old year off come since against go came \
            right used take three harbour keeper storm river orchard bread garden ferry letter school \
            doctor bicycle window island winter summer travel meeting budget invoice recipe lighthouse
            """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)

        /// Reproducible prose-like text: words drawn with a Zipf-like skew, as in real writing.
        static func text(words: Int, seed: Int, from vocabulary: [String] = vocabulary) -> String {
            var state = UInt64(truncatingIfNeeded: seed) &* 0x9E37_79B9_7F4A_7C15 &+ 1
            var out: [String] = []
            let logCount = log(Double(vocabulary.count))
            for index in 0..<words {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                let uniform = Double(state >> 11) / Double(1 << 53)
                let rank = min(vocabulary.count - 1, Int(exp(uniform * logCount)) - 1)
                out.append(vocabulary[rank] + (index % 12 == 11 ? "." : ""))
            }
            return out.joined(separator: " ")
        }
    }
}
