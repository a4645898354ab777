import Foundation
import HavenInference
import Hummingbird

/// A chat answer as OpenAI streams it, whichever backend produced it: a first chunk with the
/// role for each choice, then content and tool-call deltas (a call's id and name first, then
/// its argument fragments), each with the log-probabilities behind it when asked for, a
/// finishing chunk per choice, and the usage when `stream_options.include_usage` asks. A
/// backend that fails mid-answer ends the stream with an error event, which OpenAI's clients
/// raise.
extension OpenAIController {
    static func streamed(_ stream: ChatStream, id: String, created: Int, model: String, includeUsage: Bool) -> Response {
        ServerSentEvents.response { sender, writer in
            var chunk = ChatCompletionChunk(id: id, created: created, model: model, choices: [])
            for index in 0..<stream.choices {
                chunk.choices = [.init(index: index, delta: .init(role: "assistant", content: ""), finishReason: nil)]
                try await writer.write(sender.data(chunk))
            }
            var answer = ChatAnswer()
            var started = Set<[Int]>()
            var pending: [Int: [TokenLogprob]] = [:]
            do {
                for try await delta in stream.deltas {
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
                    case .logprobs(let index, let tokens):
                        pending[index, default: []] += tokens
                        continue
                    case .usage:
                        continue
                    }
                    if let tokens = pending.removeValue(forKey: chunk.choices[0].index) {
                        chunk.choices[0].logprobs = ChatLogprobs(tokens)
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
            ?? ErrorMiddleware.apiError(for: error)
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
