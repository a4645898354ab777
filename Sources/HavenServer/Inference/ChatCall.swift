import HavenInference

/// A chat as every API puts it to an ``InferenceBackend``: the request decoded, and the same
/// request as OpenAI chat JSON (what an upstream is sent, with fields Haven does not read).
struct ChatCall: Sendable {
    /// The request: messages, tools, `response_format`, sampling, `n`, `stop`, log-probabilities.
    var request: ChatCompletionRequest
    /// `request` as JSON in OpenAI's chat shape.
    var json: JSONValue
    /// How long a local model stays loaded after this call (Ollama's `keep_alive`).
    var keepAlive: LoadedModels.KeepAlive?
    /// Prompt and answer together within this many tokens (Ollama's `num_ctx`), when below
    /// the engine's own context.
    var contextLimit: Int?

    init(json: JSONValue, keepAlive: LoadedModels.KeepAlive? = nil, contextLimit: Int? = nil) throws {
        self.request = try ChatCompletionRequest.translated(from: json)
        self.json = json
        self.keepAlive = keepAlive
        self.contextLimit = contextLimit
    }

    init(request: ChatCompletionRequest, json: JSONValue) {
        self.request = request
        self.json = json
    }

    /// The answers asked for (`n`), checked: each is a generation of its own.
    func choiceCount() throws -> Int {
        let n = request.n ?? 1
        guard (1...Self.maxChoices).contains(n) else {
            throw InferenceError.invalidParameter(
                "n must be from 1 to \(Self.maxChoices): each choice is a generation of its own, and at most \(Self.maxChoices) run per request")
        }
        return n
    }

    /// The most choices (`n`) one request may ask for.
    static let maxChoices = 8
}
