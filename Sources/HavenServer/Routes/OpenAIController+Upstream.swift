import Foundation
import HavenInference
import Hummingbird

/// Chat completions and embeddings on an upstream model: the client's body goes to the
/// upstream as it came (tools, `response_format`, sampling and all), with the model's name,
/// the caller's cache salt and streaming set by Haven; the answer comes back in Haven's own
/// ids and shapes, and an upstream that fails mid-stream ends the stream with an error event.
extension OpenAIController {
    func upstreamChat(
        _ body: ChatCompletionRequest, raw: JSONValue, upstream: UpstreamBackend, request: Request, context: HavenRequestContext
    ) async throws -> Response {
        if let n = body.n, !(1...ChatRun.maxChoices).contains(n) {
            throw InferenceError.invalidParameter("n must be from 1 to \(ChatRun.maxChoices)")
        }
        let deltas = try await upstream.chat(raw)
        let id = InferenceService.completionID(prefix: "chatcmpl")
        let created = InferenceService.now
        let model = body.model

        guard body.stream == true else {
            let answer = try await ChatAnswer.collect(deltas)
            let response = ChatCompletionResponse(
                id: id, created: created, model: model,
                choices: answer.choices.enumerated().map { index, choice in
                    .init(index: index, message: Self.message(choice), finishReason: choice.finishReason)
                },
                usage: Self.usage(answer))
            return try response.response(from: request, context: context)
        }

        let includeUsage = body.streamOptions?.includeUsage == true
        let choiceCount = body.n ?? 1
        return ServerSentEvents.response { sender, writer in
            var chunk = ChatCompletionChunk(id: id, created: created, model: model, choices: [])
            for index in 0..<choiceCount {
                chunk.choices = [.init(index: index, delta: .init(role: "assistant", content: ""), finishReason: nil)]
                try await writer.write(sender.data(chunk))
            }
            var answer = ChatAnswer()
            var started = Set<[Int]>()
            do {
                for try await delta in deltas {
                    answer.add(delta)
                    switch delta {
                    case .content(let index, let text):
                        chunk.choices = [.init(index: index, delta: .init(content: text), finishReason: nil)]
                    case .toolCall(let index, let call, let callID, let name, let arguments):
                        var pieces: [ToolCallDelta] = []
                        if started.insert([index, call]).inserted {
                            pieces.append(.start(index: call, id: callID ?? InferenceService.completionID(prefix: "call"), name: name ?? ""))
                        }
                        if !arguments.isEmpty { pieces.append(.arguments(index: call, arguments)) }
                        guard !pieces.isEmpty else { continue }
                        chunk.choices = pieces.map { .init(index: index, delta: .init(toolCalls: [$0]), finishReason: nil) }
                    case .finished(let index, let reason):
                        chunk.choices = [.init(index: index, delta: .init(), finishReason: reason)]
                    case .usage:
                        continue
                    }
                    for choice in chunk.choices {
                        var one = chunk
                        one.choices = [choice]
                        try await writer.write(sender.data(one))
                    }
                }
            } catch {
                // The answer has begun: the status is sent, so the error goes in the stream.
                if error is CancellationError { throw error }
                try await writer.write(sender.data(Self.streamError(error)))
                throw ServerSentEvents.Ended()
            }
            if includeUsage {
                chunk.choices = []
                chunk.usage = Self.usage(answer)
                try await writer.write(sender.data(chunk))
            }
        }
    }

    func upstreamEmbeddings(
        _ body: EmbeddingRequest, format: String, upstream: UpstreamBackend
    ) async throws -> EmbeddingResponse {
        guard case .texts(let texts) = body.input else {
            throw InferenceError.invalidParameter("model '\(body.model)' runs on an upstream server; give input as text, not token ids")
        }
        guard !texts.isEmpty else { throw InferenceError.invalidParameter("input must not be empty") }
        let (vectors, tokens) = try await upstream.embed(texts)
        return EmbeddingResponse(
            data: vectors.enumerated().map { index, vector in
                .init(index: index, embedding: format == "base64" ? .base64(Self.base64(vector)) : .float(vector))
            },
            model: body.model, usage: .init(promptTokens: tokens, totalTokens: tokens))
    }

    static func message(_ choice: ChatAnswer.Choice) -> ChatMessage {
        guard !choice.calls.isEmpty else { return ChatMessage(role: "assistant", content: choice.content) }
        return ChatMessage(
            role: "assistant", content: choice.content.isEmpty ? nil : choice.content,
            toolCalls: choice.calls.map { ToolCall(id: $0.id, function: .init(name: $0.name, arguments: $0.arguments)) })
    }

    static func usage(_ answer: ChatAnswer) -> CompletionUsage {
        CompletionUsage(
            promptTokens: answer.promptTokens, completionTokens: answer.completionTokens,
            totalTokens: answer.promptTokens + answer.completionTokens,
            promptTokensDetails: .init(cachedTokens: answer.cachedTokens))
    }

    /// The error event a stream ends with: OpenAI's clients raise it as an API error.
    static func streamError(_ error: any Error) -> StreamError {
        let api = (error as? any APIErrorConvertible)?.apiError
            ?? APIError(.badGateway, code: "upstream_failed", message: "the upstream's answer broke off")
        return StreamError(error: .init(message: api.message, type: api.type, code: api.code))
    }

    /// `{"error": {...}}` as the last event of a broken stream.
    struct StreamError: Encodable {
        struct Detail: Encodable {
            let message: String
            let type: String
            let code: String
        }
        let error: Detail
    }
}
