import HavenInference

/// Raw text to continue, with no chat template: OpenAI's `/v1/completions` and Ollama's
/// `raw` generate, as put to an ``InferenceBackend``.
struct CompletionCall: Sendable {
    var prompt: String
    /// Sampling, a grammar included (Ollama's `format`).
    var sampling: SamplingParameters
    var maxTokens: Int?
    var stop: [String] = []
    /// Independent continuations asked for.
    var n = 1
    /// Alternatives per token to report, when log-probabilities are asked for.
    var logprobs: Int?
    var keepAlive: LoadedModels.KeepAlive?
    /// Prompt and answer together within this many tokens (Ollama's `num_ctx`).
    var contextLimit: Int?
    /// The request as OpenAI completions JSON: what an upstream is sent.
    var json: JSONValue
}
