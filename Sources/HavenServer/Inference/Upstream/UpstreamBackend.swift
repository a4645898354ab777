import Foundation
import HavenInference

/// One upstream model as a caller may use it (rights already checked): chat and embeddings
/// sent to its upstreams with failover, the caller's cache salt added, and each answer counted
/// in the server's metrics as a local generation is.
struct UpstreamBackend: Sendable {
    let model: String
    let upstreams: UpstreamModels
    /// The caller's ``CacheSalt``: vLLM keeps prefix caches apart by it.
    let cacheSalt: String
    let observer: GenerationObserver?

    /// The answer to `body` (an OpenAI chat body), streamed as deltas.
    func chat(_ body: JSONValue) async throws -> AsyncThrowingStream<ChatDelta, any Error> {
        let sent = Self.upstreamBody(body, model: model, cacheSalt: cacheSalt)
        let start = ContinuousClock.now
        let deltas = try await upstreams.firstAnswer(model: model) { endpoint in try await endpoint.chat(sent) }
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

    /// The vectors of `texts`, and the tokens counted.
    func embed(_ texts: [String]) async throws -> (vectors: [[Float]], promptTokens: Int) {
        let model = self.model
        return try await upstreams.firstAnswer(model: model) { endpoint in try await endpoint.embed(model: model, texts: texts) }
    }

    /// `body` as the upstream gets it: its model's name, always streamed with usage, and the
    /// caller's cache salt. Pure.
    static func upstreamBody(_ body: JSONValue, model: String, cacheSalt: String) -> JSONValue {
        guard case .object(var fields, var order) = body else { return body }
        func set(_ key: String, _ value: JSONValue) {
            if fields[key] == nil { order.append(key) }
            fields[key] = value
        }
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
        case .finished, .usage: false
        }
    }
}
