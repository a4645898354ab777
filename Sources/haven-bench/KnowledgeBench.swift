import ArgumentParser
import Foundation
import HavenAccess
import HavenIdentity
import HavenInference
import HavenKnowledge
import HavenStore
import Logging

/// An embedder on the inference engine, for the indexing measurement.
struct BenchEmbedder: Embedder {
    let engine: InferenceEngine

    func embed(_ texts: [String]) async throws -> [[Float]] {
        try await engine.embed(texts.map { Array(engine.tokenize($0).prefix(engine.configuration.contextPerSequence)) })
    }
}

/// Random unit vectors of a fixed dimension: search cost depends on the count and dimension of
/// the vectors, not on what they mean.
struct RandomEmbedder: Embedder {
    let dimension: Int

    func embed(_ texts: [String]) async throws -> [[Float]] {
        texts.map { _ in VectorIndex.normalised((0..<dimension).map { _ in Float.random(in: -1...1) }) }
    }
}

extension HavenBench {
    /// Indexing throughput with the real model, and search latency at scale.
    struct Knowledge: AsyncParsableCommand {
        @Option(help: "The GGUF model that embeds passages.") var model: String
        @Option(help: "A directory for the stores (created).") var directory: String
        @Option(help: "Files to index with the real model (each becomes a few passages).") var files = 40
        @Option(help: "Passage counts to measure search at.") var scales: [Int] = [10_000, 100_000]
        @Option(help: "Searches per scale.") var queries = 200

        func run() async throws {
            var logger = Logger(label: "bench")
            logger.logLevel = .error
            let engine = try InferenceEngine(name: "bench", path: model, configuration: EngineConfiguration(), logger: logger)
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
            let start = ContinuousClock.now
            try await indexer.reconcile()
            await indexer.idle()
            let seconds = (ContinuousClock.now - start).seconds
            let passages = try await indexer.progress().passages

            // (b) Search latency at each scale, with passages inserted directly (random vectors
            // of the model's dimension; real text for BM25) and queries embedded by the model.
            var latencies: [String] = []
            for scale in scales {
                let store = try makeStore(directory + "/search-\(scale)")
                let vectors = VectorIndex()
                let random = RandomEmbedder(dimension: dimension)
                let perFile = 10
                for file in 0..<(scale / perFile) {
                    let texts = (0..<perFile).map { Self.text(words: 60, seed: file * perFile + $0) }
                    let embeddings = try await random.embed(texts)
                    let ids = try store.catalog.replacePassages(
                        of: "/scale/\(file).md", version: 1, passages: zip(texts, embeddings).map { ($0, $1) }, at: Date())
                    vectors.replace(path: "/scale/\(file).md", ids: ids, vectors: embeddings)
                }
                let retriever = Retriever(catalog: store.catalog, vectors: vectors, embedder: embedder)
                let filter = PathFilter(allowed: nil, scopes: nil)
                var samples: [Double] = []
                for query in 0..<queries {
                    let words = Self.text(words: 4, seed: 1_000_000 + query)
                    let began = ContinuousClock.now
                    _ = try await retriever.search(words, k: 10, filter: filter)
                    samples.append((ContinuousClock.now - began).seconds * 1000)
                }
                samples.sort()
                let p50 = samples[samples.count / 2]
                let p99 = samples[min(samples.count - 1, samples.count * 99 / 100)]
                latencies.append(
                    "(e) search over \(scale) passages (hybrid, k = 10, query embedded by the model): "
                        + String(format: "p50 %.1f ms, p99 %.1f ms", p50, p99))
            }
            print(
                "(d) indexing with the default model: \(passages) passages in "
                    + String(format: "%.1f s = %.1f passages/s", seconds, Double(passages) / seconds)
                    + " (embedding dimension \(dimension))")
            for line in latencies { print(line) }
        }

        func makeStore(_ path: String) throws -> DataStore {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            let catalog = try Catalog.open(at: path + "/catalog.sqlite", schema: CatalogSchema([.files, .changes, .knowledge, .knowledgeVocabulary]))
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
