import HavenInference

/// A chat started on a local engine: the plan (messages, tools, grammar) and one generation
/// per choice, all in the engine's batches. ``LocalBackend`` answers every API's chats from one.
struct ChatRun: Sendable {
    let plan: ChatPlan
    /// One stream per choice, in order.
    let choices: [AsyncThrowingStream<GenerationStep, any Error>]
    /// Alternatives asked for per token; `nil` when log-probabilities were not asked for.
    let topLogprobs: Int?
    /// The prompt's length in tokens.
    let promptTokens: Int

    /// Plans `call`, renders its prompt on `engine` and starts its generations.
    static func start(_ call: ChatCall, plan: ChatPlan, engine: InferenceEngine, service: InferenceService) async throws -> ChatRun {
        let n = try call.choiceCount()
        let topLogprobs = try Self.topLogprobs(logprobs: call.request.logprobs, top: call.request.topLogprobs)
        var sampling = try OpenAIController.sampling(call.request)
        sampling.grammar = plan.grammar
        sampling.grammarTriggers = plan.grammarTriggers
        let prompt = try service.chatPrompt(plan.messages, engine: engine)
        let generation = GenerationRequest(
            prompt: prompt, sampling: sampling,
            maxTokens: try Self.maxTokens(
                call.request.maxCompletionTokens ?? call.request.maxTokens, prompt: prompt.count, contextLimit: call.contextLimit,
                engine: engine),
            stop: call.request.stop?.values ?? [], logprobs: topLogprobs)
        return ChatRun(
            plan: plan, choices: try await Self.generate(generation, n: n, engine: engine), topLogprobs: topLogprobs,
            promptTokens: prompt.count)
    }

    /// The answer's bound: `maxTokens`, and with a context limit below the engine's own
    /// (Ollama's `num_ctx`), what the prompt leaves of it.
    static func maxTokens(_ maxTokens: Int?, prompt: Int, contextLimit: Int?, engine: InferenceEngine) throws -> Int? {
        guard let limit = contextLimit, limit > 0, limit < engine.configuration.contextPerSequence else { return maxTokens }
        guard prompt < limit else { throw InferenceError.promptTooLong(tokens: prompt, limit: limit) }
        return min(maxTokens ?? Int.max, limit - prompt)
    }

    /// `n` generations of `request`; with a seed, choice `i` uses the seed plus `i` so that the
    /// choices differ and each is still repeatable. Started ones are cancelled if a later one
    /// is refused (their streams are dropped).
    static func generate(
        _ request: GenerationRequest, n: Int, engine: InferenceEngine
    ) async throws -> [AsyncThrowingStream<GenerationStep, any Error>] {
        var streams: [AsyncThrowingStream<GenerationStep, any Error>] = []
        for index in 0..<n {
            var request = request
            if index > 0, let seed = request.sampling.seed { request.sampling.seed = seed &+ UInt32(index) }
            streams.append(try await engine.generateWithLogprobs(request))
        }
        return streams
    }

    /// Chat's `logprobs` and `top_logprobs` as the engine's count of alternatives.
    static func topLogprobs(logprobs: Bool?, top: Int?) throws -> Int? {
        if let top {
            guard logprobs == true else { throw InferenceError.invalidParameter("top_logprobs needs logprobs: true") }
            guard (0...InferenceEngine.maxTopLogprobs).contains(top) else {
                throw InferenceError.invalidParameter("top_logprobs must be from 0 to \(InferenceEngine.maxTopLogprobs)")
            }
            return top
        }
        return logprobs == true ? 0 : nil
    }

    /// Usage over all choices: the prompt once, the completions summed.
    static func usage(_ summaries: [GenerationSummary]) -> CompletionUsage {
        let prompt = summaries.first?.promptTokens ?? 0
        let completion = summaries.reduce(0) { $0 + $1.completionTokens }
        return CompletionUsage(
            promptTokens: prompt, completionTokens: completion, totalTokens: prompt + completion,
            promptTokensDetails: .init(cachedTokens: summaries.first?.cachedPromptTokens ?? 0))
    }

    /// The choices' steps as they come, each with its choice's index; cancelling the merged
    /// stream (a client that went away) cancels every generation.
    static func merge(
        _ streams: [AsyncThrowingStream<GenerationStep, any Error>]
    ) -> AsyncThrowingStream<(index: Int, step: GenerationStep), any Error> {
        let (merged, continuation) = AsyncThrowingStream<(index: Int, step: GenerationStep), any Error>.makeStream()
        let work = Task {
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (index, stream) in streams.enumerated() {
                        group.addTask {
                            for try await step in stream { continuation.yield((index, step)) }
                        }
                    }
                    try await group.waitForAll()
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in work.cancel() }
        return merged
    }
}
