import Foundation
import HavenInference

/// One upstream model as a caller may use it (rights already checked): chats, completions
/// and embeddings sent to its upstreams with failover, the caller's cache salt added, and each
/// answer counted in the server's metrics as a local generation is.
struct UpstreamBackend: InferenceBackend {
    let model: String
    let upstreams: UpstreamModels
    /// The caller's ``CacheSalt``: vLLM keeps prefix caches apart by it.
    let cacheSalt: String
    let observer: GenerationObserver?
    /// Whether only upstreams that take an installed model's overflow are used.
    var overflow = false

    func chat(_ call: ChatCall) async throws -> ChatStream {
        let n = try call.choiceCount()
        let sent = Self.upstreamBody(call.json, model: model, cacheSalt: cacheSalt)
        let start = ContinuousClock.now
        let deltas = try await upstreams.firstAnswer(model: model, overflow: overflow) { endpoint in
            try await endpoint.stream(path: "/chat/completions", body: sent)
        }
        return ChatStream(deltas: observed(deltas, since: start), choices: n, promptTokens: nil)
    }

    func complete(_ call: CompletionCall) async throws -> ChatStream {
        guard call.sampling.grammar == nil else {
            throw InferenceError.invalidParameter(
                "model '\(model)' runs on an upstream server: a format (grammar) is offered on chats there, not on raw prompts")
        }
        guard (1...ChatCall.maxChoices).contains(call.n) else {
            throw InferenceError.invalidParameter("n must be from 1 to \(ChatCall.maxChoices)")
        }
        let sent = Self.upstreamBody(call.json, model: model, cacheSalt: cacheSalt)
        let start = ContinuousClock.now
        let deltas = try await upstreams.firstAnswer(model: model, overflow: overflow) { endpoint in
            try await endpoint.stream(path: "/completions", body: sent)
        }
        return ChatStream(deltas: observed(deltas, since: start), choices: call.n, promptTokens: nil)
    }

    func embed(_ input: EmbeddingRequest.Input) async throws -> (vectors: [[Float]], promptTokens: Int) {
        guard case .texts(let texts) = input else {
            throw InferenceError.invalidParameter("model '\(model)' runs on an upstream server; give input as text, not token ids")
        }
        guard !texts.isEmpty else { throw InferenceError.invalidParameter("input must not be empty") }
        let model = self.model
        return try await upstreams.firstAnswer(model: model, overflow: overflow) { endpoint in
            try await endpoint.embed(model: model, texts: texts)
        }
    }

    func promptTokens(_ call: ChatCall) async throws -> Int {
        throw InferenceError.invalidParameter(
            "model '\(model)' runs on an upstream server, which does not count tokens for Haven; count them on an installed model")
    }

    func tokenCount(of text: String) async -> Int? { nil }

    /// An upstream keeps its own models loaded: nothing to load here.
    func load(keepAlive: LoadedModels.KeepAlive?) async throws {}

    func unload() async {}

    /// `deltas`, with the answer reported to the observer once complete.
    private func observed(
        _ deltas: AsyncThrowingStream<ChatDelta, any Error>, since start: ContinuousClock.Instant
    ) -> AsyncThrowingStream<ChatDelta, any Error> {
        guard let observer else { return deltas }
        let model = self.model
        let (stream, continuation) = AsyncThrowingStream<ChatDelta, any Error>.makeStream()
        let work = Task {
            var firstToken: Duration?
            var answer = ChatAnswer()
            do {
                for try await delta in deltas {
                    if firstToken == nil, delta.isGenerated { firstToken = ContinuousClock.now - start }
                    answer.add(delta)
                    continuation.yield(delta)
                }
                let reason: FinishReason = answer.choices.contains { $0.finishReason == "length" } ? .length : .stop
                observer(
                    GenerationReport(
                        model: model,
                        summary: GenerationSummary(
                            finishReason: reason, promptTokens: answer.promptTokens, completionTokens: answer.completionTokens,
                            cachedPromptTokens: answer.cachedTokens),
                        timeToFirstToken: firstToken))
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in work.cancel() }
        return stream
    }

    /// `body` (an OpenAI chat or completions body) as the upstream gets it: its model's name,
    /// always streamed with usage, and the caller's cache salt; `max_completion_tokens` also as
    /// `max_tokens`, which every server reads (llama-server reads only that). Pure.
    static func upstreamBody(_ body: JSONValue, model: String, cacheSalt: String) -> JSONValue {
        guard case .object(var fields, var order) = body else { return body }
        func set(_ key: String, _ value: JSONValue) {
            if fields[key] == nil { order.append(key) }
            fields[key] = value
        }
        if let limit = fields["max_completion_tokens"], fields["max_tokens"] == nil { set("max_tokens", limit) }
        set("model", .string(model))
        set("stream", .bool(true))
        set("stream_options", .object(["include_usage": .bool(true)], order: ["include_usage"]))
        set("cache_salt", .string(cacheSalt))
        return .object(fields, order: order)
    }
}

extension ChatDelta {
    /// Whether this is text or a call the model made (not bookkeeping).
    var isGenerated: Bool {
        switch self {
        case .content, .toolCall: true
        case .finished, .usage, .logprobs: false
        }
    }
}
