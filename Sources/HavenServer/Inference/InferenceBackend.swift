import HavenInference

/// What a model runs on, as every API sees it: Haven's own llama.cpp engine (``LocalBackend``)
/// or an OpenAI-compatible server upstream (``UpstreamBackend``), chosen by configuration
/// (``InferenceService/backend(for:caller:)``), or the two together (``OverflowBackend``).
/// The APIs above it (OpenAI, Ollama, Responses, Anthropic) plan nothing against an engine:
/// they put a chat, a completion or texts to embed, and answer from ``ChatDelta``s.
///
/// A backend is made for one caller whose `infer` right on the model was already checked.
protocol InferenceBackend: Sendable {
    /// The model's name, as clients call it.
    var model: String { get }

    /// Starts `call` and returns once it is accepted (refusals, a full queue or an upstream
    /// that cannot be reached are thrown here); what goes wrong later ends the stream.
    func chat(_ call: ChatCall) async throws -> ChatStream

    /// The whole answer to `call`, for the APIs that answer at once.
    func answer(_ call: ChatCall) async throws -> ChatAnswer

    /// Continues raw text (no chat template): OpenAI's legacy completions, Ollama's `raw`.
    func complete(_ call: CompletionCall) async throws -> ChatStream

    /// One vector per input, and the tokens counted.
    func embed(_ input: EmbeddingRequest.Input) async throws -> (vectors: [[Float]], promptTokens: Int)

    /// The tokens `call`'s prompt takes, as the model will read it.
    func promptTokens(_ call: ChatCall) async throws -> Int

    /// `text`'s length in the model's tokens, where the backend can tell without asking anyone.
    func tokenCount(of text: String) async -> Int?

    /// Loads the model (Ollama's idiom: a chat without messages), keeping it as asked.
    func load(keepAlive: LoadedModels.KeepAlive?) async throws

    /// Unloads the model (`keep_alive: 0`).
    func unload() async
}

extension InferenceBackend {
    func answer(_ call: ChatCall) async throws -> ChatAnswer {
        try await ChatAnswer.collect(chat(call).deltas)
    }
}
