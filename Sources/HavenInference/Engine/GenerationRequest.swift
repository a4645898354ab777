/// One generation as the engine runs it: tokens in, text out.
public struct GenerationRequest: Sendable {
    public var prompt: [Int32]
    public var sampling: SamplingParameters
    /// Most tokens to generate; `nil` means until the request's context is full.
    public var maxTokens: Int?
    public var stop: [String]
    /// When set, each token comes with its log-probability and this many most likely
    /// alternatives (0 to 20), on ``InferenceEngine/generateWithLogprobs(_:)``'s stream.
    /// Left `nil`, nothing is computed.
    public var logprobs: Int?

    public init(
        prompt: [Int32], sampling: SamplingParameters = SamplingParameters(), maxTokens: Int? = nil, stop: [String] = [],
        logprobs: Int? = nil
    ) {
        self.prompt = prompt
        self.sampling = sampling
        self.maxTokens = maxTokens
        self.stop = stop
        self.logprobs = logprobs
    }
}

/// What a generation stream yields: text as it is produced, then one summary.
public enum GenerationEvent: Sendable, Equatable {
    case text(String)
    case finished(GenerationSummary)
}

/// What ``InferenceEngine/generateWithLogprobs(_:)`` yields: text with the tokens it completed
/// (text held back for a stop string or a split character comes later with its tokens), then
/// one summary. Tokens whose text a stop string cut off are left out with it.
public enum GenerationStep: Sendable, Equatable {
    case text(String, logprobs: [TokenLogprob])
    case finished(GenerationSummary)
}

/// Why a generation ended.
public enum FinishReason: String, Sendable, Equatable {
    /// The model ended its turn or a stop string was reached.
    case stop
    /// `maxTokens` or the context limit was reached.
    case length
}

/// Counts reported at the end of a generation (OpenAI's `usage`).
public struct GenerationSummary: Sendable, Equatable {
    public var finishReason: FinishReason
    public var promptTokens: Int
    public var completionTokens: Int
    /// Prompt tokens whose KV was reused from the prefix cache instead of being computed.
    public var cachedPromptTokens: Int

    public init(finishReason: FinishReason, promptTokens: Int, completionTokens: Int, cachedPromptTokens: Int) {
        self.finishReason = finishReason
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.cachedPromptTokens = cachedPromptTokens
    }
}

extension AsyncThrowingStream where Element == GenerationEvent, Failure == any Error {
    /// Reads a whole generation: all its text, and its summary.
    ///
    /// - Throws: the engine's error, or ``InferenceError/generationIncomplete`` if the stream
    ///   ended without a summary.
    public func collect() async throws -> (text: String, summary: GenerationSummary) {
        var text = ""
        for try await event in self {
            switch event {
            case .text(let piece): text += piece
            case .finished(let summary): return (text, summary)
            }
        }
        throw InferenceError.generationIncomplete
    }
}

extension AsyncThrowingStream where Element == GenerationStep, Failure == any Error {
    /// Reads a whole generation: its text, every token's log-probabilities, and its summary.
    public func collect() async throws -> (text: String, logprobs: [TokenLogprob], summary: GenerationSummary) {
        var text = ""
        var logprobs: [TokenLogprob] = []
        for try await event in self {
            switch event {
            case .text(let piece, let tokens):
                text += piece
                logprobs += tokens
            case .finished(let summary): return (text, logprobs, summary)
            }
        }
        throw InferenceError.generationIncomplete
    }
}
