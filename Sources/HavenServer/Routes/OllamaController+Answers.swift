import Foundation
import HavenInference
import Hummingbird

/// Ollama's chat and generate answered from any backend: the request in OpenAI's terms, the
/// backend's deltas back in Ollama's lines. Text streams while it cannot be a call; the calls
/// come in one line at the end, arguments as objects, as Ollama sends them. A backend that
/// fails mid-answer ends the stream with Ollama's `{"error": …}` line.
extension OllamaController {
    /// Ollama's options as OpenAI chat fields (an upstream samples by these).
    static func openAIFields(_ parameters: ModelParameters) -> [(String, JSONValue)] {
        var fields: [(String, JSONValue)] = []
        if let value = parameters.temperature { fields.append(("temperature", .number(value))) }
        if let value = parameters.topP { fields.append(("top_p", .number(value))) }
        if let value = parameters.topK { fields.append(("top_k", .number(Double(value)))) }
        if let value = parameters.minP { fields.append(("min_p", .number(value))) }
        if let value = parameters.seed { fields.append(("seed", .number(Double(value)))) }
        if let value = parameters.numPredict, value >= 0 { fields.append(("max_tokens", .number(Double(value)))) }
        if let value = parameters.stop, !value.isEmpty { fields.append(("stop", .array(value.map { .string($0) }))) }
        if let value = parameters.presencePenalty { fields.append(("presence_penalty", .number(value))) }
        if let value = parameters.frequencyPenalty { fields.append(("frequency_penalty", .number(value))) }
        if let value = parameters.repeatPenalty { fields.append(("repeat_penalty", .number(value))) }
        return fields
    }

    /// `body` with `fields` added (or replaced). Pure.
    static func adding(_ fields: [(String, JSONValue)], to body: JSONValue) -> JSONValue {
        guard case .object(var values, var order) = body else { return body }
        for (key, value) in fields {
            if values[key] == nil { order.append(key) }
            values[key] = value
        }
        return .object(values, order: order)
    }

    /// `answer`'s deltas in Ollama's shape: NDJSON lines, or one object when not streamed.
    func answer(
        _ answer: ChatStream, model: String, stream: Bool, chat: Bool, request: Request, context: HavenRequestContext
    ) async throws -> Response {
        let start = ContinuousClock.now
        let deltas = answer.deltas
        @Sendable func line(_ text: String, calls: [OllamaToolCall]? = nil) -> OllamaResponseLine {
            OllamaResponseLine(
                model: model, createdAt: Self.timestamp(Date()),
                message: chat ? .init(content: text, toolCalls: calls) : nil, response: chat ? nil : text, done: false)
        }
        @Sendable func last(_ answer: ChatAnswer, text: String, calls: [OllamaToolCall]?, firstToken: ContinuousClock.Instant?)
            -> OllamaResponseLine
        {
            var final = line(text, calls: calls)
            let end = ContinuousClock.now
            let promptEnd = firstToken ?? end
            final.done = true
            let reason = answer.choices.first?.finishReason ?? "stop"
            final.doneReason = reason == "tool_calls" ? "stop" : reason
            final.totalDuration = Self.nanoseconds(end - start)
            final.loadDuration = 0
            final.promptEvalCount = answer.promptTokens
            final.promptEvalDuration = Self.nanoseconds(promptEnd - start)
            final.evalCount = answer.completionTokens
            final.evalDuration = Self.nanoseconds(end - promptEnd)
            return final
        }
        @Sendable func calls(_ answer: ChatAnswer) -> [OllamaToolCall]? {
            let made = answer.choices.first?.calls ?? []
            return made.isEmpty ? nil : OllamaChatTranslation.toolCalls(made.map { ($0.name, $0.arguments) })
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes

        guard stream else {
            var answer = ChatAnswer()
            var firstToken: ContinuousClock.Instant?
            for try await delta in deltas {
                if firstToken == nil, delta.isGenerated { firstToken = .now }
                answer.add(delta)
            }
            let final = last(answer, text: answer.choices.first?.content ?? "", calls: calls(answer), firstToken: firstToken)
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(final))))
        }

        var headers = HTTPFields()
        headers[.contentType] = "application/x-ndjson"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            func send(_ next: some Encodable) async throws {
                var bytes = try encoder.encode(next)
                bytes.append(0x0A)
                try await writer.write(ByteBuffer(bytes: bytes))
            }
            var answer = ChatAnswer()
            var firstToken: ContinuousClock.Instant?
            do {
                for try await delta in deltas {
                    if firstToken == nil, delta.isGenerated { firstToken = .now }
                    answer.add(delta)
                    if case .content(0, let text) = delta { try await send(line(text)) }
                }
            } catch {
                if error is CancellationError { throw error }
                let message = (error as? any APIErrorConvertible)?.apiError.message ?? "the upstream's answer broke off"
                try await send(["error": message])
                try await writer.finish(nil)
                return
            }
            if let made = calls(answer) { try await send(line("", calls: made)) }
            try await send(last(answer, text: "", calls: nil, firstToken: firstToken))
            try await writer.finish(nil)
        })
    }
}
