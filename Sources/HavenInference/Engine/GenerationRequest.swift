/// One generation as the engine runs it: tokens in, text out.
public struct GenerationRequest: Sendable {
    public var prompt: [Int32]
    public var sampling: SamplingParameters
    /// Most tokens to generate; `nil` means until the request's context is full.
    public var maxTokens: Int?
    public var stop: [String]

    public init(prompt: [Int32], sampling: SamplingParameters = SamplingParameters(), maxTokens: Int? = nil, stop: [String] = []) {
        self.prompt = prompt
        self.sampling = sampling
        self.maxTokens = maxTokens
        self.stop = stop
    }
}

/// What a generation stream yields: text as it is produced, then one summary.
public enum GenerationEvent: Sendable, Equatable {
    case text(String)
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
