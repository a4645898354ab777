import Foundation
import Logging
import Synchronization
import Testing

@testable import HavenInference

/// The engine with the real default model (SmolLM2-135M). `make test` sets HAVEN_TEST_MODEL.
@Suite struct InferenceEngineTests {
    static func modelPath() throws -> String {
        try #require(
            ProcessInfo.processInfo.environment["HAVEN_TEST_MODEL"],
            "set HAVEN_TEST_MODEL to a GGUF file (make test does: scripts/path default-model)")
    }

    static func makeEngine(parallel: Int = 4, queueLimit: Int = 64, context: Int = 2048) throws -> InferenceEngine {
        var configuration = EngineConfiguration()
        configuration.parallel = parallel
        configuration.queueLimit = queueLimit
        configuration.contextPerSequence = context
        return try InferenceEngine(name: "test", path: modelPath(), configuration: configuration, logger: Logger(label: "test"))
    }

    static func greedy(_ engine: InferenceEngine, _ question: String, maxTokens: Int = 24) throws -> GenerationRequest {
        var sampling = SamplingParameters()
        sampling.temperature = 0
        let prompt = try engine.renderChat([("user", question)])
        return GenerationRequest(prompt: engine.tokenize(prompt), sampling: sampling, maxTokens: maxTokens)
    }

    static func collect(_ stream: AsyncThrowingStream<GenerationEvent, any Error>) async throws -> (String, GenerationSummary) {
        try await stream.collect()
    }

    @Test func theChatTemplateIsTheModelsOwn() throws {
        let engine = try Self.makeEngine()
        let prompt = try engine.renderChat([("system", "Be brief."), ("user", "Hi")])
        #expect(prompt.contains("<|im_start|>system\nBe brief.<|im_end|>"))
        #expect(prompt.hasSuffix("<|im_start|>assistant\n"))
    }

    @Test func greedyGenerationIsRepeatableAndCounted() async throws {
        let engine = try Self.makeEngine()
        let request = try Self.greedy(engine, "What is the capital of France?")
        let (first, summary) = try await Self.collect(engine.generate(request))
        let (second, _) = try await Self.collect(engine.generate(request))
        #expect(!first.isEmpty)
        #expect(first == second)
        #expect(summary.promptTokens == request.prompt.count)
        #expect(summary.completionTokens > 0 && summary.completionTokens <= 24)
    }

    @Test func maxTokensEndsWithLength() async throws {
        let engine = try Self.makeEngine()
        let request = try Self.greedy(engine, "Write a long story about a dragon.", maxTokens: 5)
        let (_, summary) = try await Self.collect(engine.generate(request))
        #expect(summary.finishReason == .length)
        #expect(summary.completionTokens == 5)
    }

    @Test func aRepeatedPrefixIsReusedNotRecomputed() async throws {
        let engine = try Self.makeEngine()
        let system = String(repeating: "You are a helpful assistant who answers questions about geography. ", count: 8)
        func request(_ question: String) throws -> GenerationRequest {
            var sampling = SamplingParameters()
            sampling.temperature = 0
            let prompt = try engine.renderChat([("system", system), ("user", question)])
            return GenerationRequest(prompt: engine.tokenize(prompt), sampling: sampling, maxTokens: 4)
        }
        let (_, cold) = try await Self.collect(engine.generate(request("Where is Paris?")))
        #expect(cold.cachedPromptTokens == 0)
        // Four at once: each starts from the cached system prompt, its own or copied from another sequence.
        let summaries = try await withThrowingTaskGroup(of: GenerationSummary.self) { group in
            for question in ["Where is Rome?", "Where is Oslo?", "Where is Lima?", "Where is Cairo?"] {
                let stream = try await engine.generate(request(question))
                group.addTask { try await Self.collect(stream).1 }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let systemTokens = engine.tokenize(try engine.renderChat([("system", system)])).count
        for summary in summaries {
            #expect(summary.cachedPromptTokens >= systemTokens - 4, "\(summary)")
        }
    }

    @Test func concurrentGenerationsBeyondTheSequenceCountAllComplete() async throws {
        let engine = try Self.makeEngine(parallel: 2)
        let results = try await withThrowingTaskGroup(of: GenerationSummary.self) { group in
            for index in 0..<6 {
                let stream = try await engine.generate(Self.greedy(engine, "Count to \(index + 3).", maxTokens: 8))
                group.addTask { try await Self.collect(stream).1 }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 6)
        #expect(results.allSatisfy { $0.completionTokens > 0 })
        #expect(await engine.load == (0, 0))
    }

    @Test func aDroppedStreamFreesItsSequence() async throws {
        let engine = try Self.makeEngine(parallel: 1)
        let long = try Self.greedy(engine, "Write a very long essay about the sea.", maxTokens: 1_500)
        var iterator = try await engine.generate(long).makeAsyncIterator()
        _ = try await iterator.next()  // it is running
        #expect(await engine.load.running == 1)
        _ = consume iterator  // the client goes away
        // With one sequence, this request can only run once the abandoned one was freed.
        let (_, summary) = try await Self.collect(engine.generate(Self.greedy(engine, "Say hi.", maxTokens: 4)))
        #expect(summary.completionTokens > 0)
        #expect(await engine.load == (0, 0))
        // The abandoned generation stopped within a step or two instead of running on.
        let abandoned = await engine.sampledTokens - summary.completionTokens - 1
        #expect(abandoned < 20, "the abandoned generation sampled \(abandoned) tokens")
    }

    @Test func aFullQueueIsRefused() async throws {
        let engine = try Self.makeEngine(parallel: 1, queueLimit: 1)
        let long = try Self.greedy(engine, "Write a very long essay about the sea.", maxTokens: 200)
        let running = try await engine.generate(long)
        var iterator = running.makeAsyncIterator()
        _ = try await iterator.next()
        let queued = try await engine.generate(long)
        await #expect(throws: InferenceError.queueFull(retryAfterSeconds: 1)) { try await engine.generate(long) }
        _ = queued
    }

    @Test func aPromptLongerThanTheContextIsRefused() async throws {
        let engine = try Self.makeEngine(context: 64)
        let prompt = engine.tokenize(String(repeating: "word ", count: 100))
        await #expect(throws: InferenceError.promptTooLong(tokens: prompt.count, limit: 64)) {
            try await engine.generate(GenerationRequest(prompt: prompt))
        }
    }
}

@Suite struct EmbeddingTests {
    @Test func embeddingsHaveTheModelsWidthAreNormalisedAndRepeatable() async throws {
        let engine = try InferenceEngineTests.makeEngine()
        let texts = ["The cat sat on the mat.", "A kitten rested on the rug.", "Quarterly tax filing deadlines."]
        let vectors = try await engine.embed(texts.map { engine.tokenize($0) })
        #expect(vectors.count == 3)
        #expect(vectors.allSatisfy { $0.count == engine.embeddingLength })
        for vector in vectors {
            #expect(abs(vector.reduce(0) { $0 + $1 * $1 } - 1) < 1e-3)
        }
        // The same request gives the same vectors to the bit.
        let again = try await engine.embed(texts.map { engine.tokenize($0) })
        #expect(again == vectors)
        func cosine(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
        // Alone, a text gets the vector it got in a batch, up to the batch kernels' rounding.
        let alone = try await engine.embed([engine.tokenize(texts[0])])
        #expect(cosine(alone[0], vectors[0]) > 0.9999)
        // Related sentences are closer than unrelated ones.
        #expect(cosine(vectors[0], vectors[1]) > cosine(vectors[0], vectors[2]))
    }

    /// The soak found chats crawling at a decode step per indexed file: a background batch of
    /// passages ran whole between two steps. Now, while a generation runs, each passage waits
    /// for its share of the engine (batches of passages run only when the engine is idle).
    @Test func aBackgroundBatchOfEmbeddingsDoesNotHoldUpARunningGeneration() async throws {
        let engine = try InferenceEngineTests.makeEngine()
        let stream = try await engine.generate(InferenceEngineTests.greedy(engine, "Count to twenty.", maxTokens: 24))
        var iterator = stream.makeAsyncIterator()
        _ = try await iterator.next()  // the generation is running
        let passage = engine.tokenize(String(repeating: "The indexer reads a passage of a document. ", count: 10))
        let order = Mutex<[String]>([])
        async let embedded: Void = {
            _ = try await engine.embed(Array(repeating: passage, count: 8), priority: .background)
            order.withLock { $0.append("embeddings") }
        }()
        while let event = try await iterator.next() {
            if case .finished(let summary) = event {
                #expect(summary.completionTokens > 1)
                order.withLock { $0.append("generation") }
            }
        }
        try await embedded
        #expect(order.withLock { $0 } == ["generation", "embeddings"])
    }

    @Test func embeddingsInterleaveWithRunningGenerations() async throws {
        let engine = try InferenceEngineTests.makeEngine()
        let stream = try await engine.generate(InferenceEngineTests.greedy(engine, "Tell me about whales.", maxTokens: 16))
        let vector = try await engine.embed([engine.tokenize("whales")])
        let (_, summary) = try await InferenceEngineTests.collect(stream)
        #expect(vector[0].count == engine.embeddingLength)
        #expect(summary.completionTokens > 0)
    }
}

/// How embedding inputs are packed into decodes.
@Suite struct EmbeddingBatchTests {
    @Test func inputsArePackedInOrderWithinTheSequenceAndTokenLimits() {
        let sequences = 32
        let tokens = 512
        func batches(_ lengths: [Int]) -> [[Int]] {
            InferenceEngine.embeddingBatches(lengths, sequences: sequences, tokens: tokens)
        }
        #expect(batches([]) == [])
        #expect(batches([5, 5, 5]) == [[0, 1, 2]])
        let many = batches(Array(repeating: 1, count: sequences + 1))
        #expect(many.map(\.count) == [sequences, 1])
        #expect(batches([tokens - 10, 20, 5]) == [[0], [1, 2]])
        // An input longer than a batch's tokens runs alone.
        #expect(batches([3, tokens + 100, 3]) == [[0], [1], [2]])
        #expect(batches([7, 8, 9, 10]).flatMap { $0 } == [0, 1, 2, 3])
        #expect(batches([200, 200, 200]) == [[0, 1], [2]])
    }
}
