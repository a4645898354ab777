import Foundation
import Testing

@testable import HavenInference

/// Log-probabilities from the engine with the real default model.
@Suite struct InferenceEngineLogprobTests {
    @Test func greedyTokensAreTheMostLikelyAndTheTopIsSorted() async throws {
        let engine = try InferenceEngineTests.makeEngine()
        var request = try InferenceEngineTests.greedy(engine, "What is the capital of France?", maxTokens: 12)
        request.logprobs = 5
        let (text, logprobs, summary) = try await engine.generateWithLogprobs(request).collect()
        #expect(logprobs.count == summary.completionTokens)
        #expect(String(decoding: logprobs.flatMap(\.chosen.bytes), as: UTF8.self) == text)
        for token in logprobs {
            #expect(token.chosen.logprob <= 0)
            #expect(token.top.count == 5)
            #expect(zip(token.top, token.top.dropFirst()).allSatisfy { $0.logprob >= $1.logprob })
            #expect(token.top.allSatisfy { $0.logprob <= 0 })
            // Temperature 0 takes the most likely token, whose entry carries the same number.
            #expect(token.top.first?.token == token.chosen.token)
            #expect(token.top.first?.logprob == token.chosen.logprob)
        }
    }

    @Test func logprobsDoNotChangeTheText() async throws {
        let engine = try InferenceEngineTests.makeEngine()
        var request = try InferenceEngineTests.greedy(engine, "Name three colours.", maxTokens: 16)
        let (plain, _) = try await engine.generate(request).collect()
        request.logprobs = 0
        let (text, logprobs, _) = try await engine.generateWithLogprobs(request).collect()
        #expect(text == plain)
        #expect(logprobs.allSatisfy { $0.top.isEmpty && $0.chosen.logprob <= 0 })
    }

    @Test func sampledTokensAppearAmongTheTopWithTheSameLogprob() async throws {
        let engine = try InferenceEngineTests.makeEngine()
        var request = try InferenceEngineTests.greedy(engine, "Tell me about the sea.", maxTokens: 16)
        request.sampling.temperature = 1
        request.sampling.seed = 7
        request.logprobs = 20
        let (_, logprobs, _) = try await engine.generateWithLogprobs(request).collect()
        #expect(!logprobs.isEmpty)
        for token in logprobs {
            if let entry = token.top.first(where: { $0.token == token.chosen.token }) {
                #expect(entry.logprob == token.chosen.logprob)
            }
        }
    }

    @Test func tooManyAlternativesAreRefused() async throws {
        let engine = try InferenceEngineTests.makeEngine()
        var request = try InferenceEngineTests.greedy(engine, "Hi")
        request.logprobs = 21
        await #expect(throws: InferenceError.self) { try await engine.generateWithLogprobs(request) }
    }
}
